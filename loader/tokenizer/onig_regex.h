#pragma once
// A compiled Oniguruma regex, configured as Hugging Face's tokenizers library configures it
// (its `onig` crate: ONIG_SYNTAX_DEFAULT, ONIG_OPTION_NONE, UTF-8), so a Split, Replace or
// ByteLevel pattern from tokenizer.json matches exactly the same text in vkmoe.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe {

struct TextSpan {
  size_t begin = 0, end = 0;  // bytes, [begin, end)
};

class OnigRegex {
 public:
  // Throws Error(kInvalidFile) with Oniguruma's message and `where` when `pattern` does not
  // compile.
  OnigRegex(std::string_view pattern, const std::string& where);
  ~OnigRegex();
  OnigRegex(const OnigRegex&) = delete;
  OnigRegex& operator=(const OnigRegex&) = delete;

  // Appends every match in `text` (valid UTF-8), leftmost first, searching on from the end of
  // the previous match; an empty match where the previous one ended is skipped by moving on
  // one character, as the onig crate's find_iter does. Lookarounds see all of `text`.
  void find_all(std::string_view text, std::vector<TextSpan>& out) const;

 private:
  void* regex_ = nullptr;  // regex_t*: oniguruma.h stays out of this header
};

}  // namespace vkmoe
