#pragma once
// Finds added tokens ("<|im_start|>", "<s>") in text before pre-tokenization, as Hugging
// Face's tokenizers does: leftmost first and, among tokens starting at the same byte, the
// longest; then a single_word token that touches a word character is passed over, and lstrip
// / rstrip tokens take the whitespace beside them.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe {

struct AddedTokenFlags {
  bool special = false;      // passed over when special tokens are not parsed
  bool lstrip = false;       // takes the whitespace before it
  bool rstrip = false;       // takes the whitespace after it
  bool single_word = false;  // matches only where no word character touches it
};

class SpecialTokenMatcher {
 public:
  void add(std::string text, uint32_t id, AddedTokenFlags flags);
  bool empty() const { return n_entries_ == 0; }

  struct Fragment {
    std::string_view text;  // ordinary text when is_token is false
    size_t offset = 0;      // where `text` starts in the split string
    uint32_t id = 0;
    bool is_token = false;
  };
  // `text` cut into ordinary-text fragments (never empty) and token fragments.
  // parse_special false: tokens flagged special are left as ordinary text.
  std::vector<Fragment> split(std::string_view text, bool parse_special) const;

 private:
  struct Entry {
    std::string text;
    uint32_t id;
    AddedTokenFlags flags;
  };
  std::array<std::vector<Entry>, 256> by_first_byte_;  // each longest first
  size_t n_entries_ = 0;
};

}  // namespace vkmoe
