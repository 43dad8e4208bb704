#pragma once
// Finds special and added tokens ("<|im_start|>", "<s>") in text before pre-tokenization,
// leftmost first and, among tokens starting at the same byte, the longest.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe {

class SpecialTokenMatcher {
 public:
  void add(std::string text, uint32_t id);

  struct Fragment {
    std::string_view text;  // ordinary text when is_token is false
    uint32_t id = 0;
    bool is_token = false;
  };
  // `text` cut into ordinary-text fragments (never empty) and token fragments.
  std::vector<Fragment> split(std::string_view text) const;

 private:
  struct Entry {
    std::string text;
    uint32_t id;
  };
  std::array<std::vector<Entry>, 256> by_first_byte_;  // each longest first
};

}  // namespace vkmoe
