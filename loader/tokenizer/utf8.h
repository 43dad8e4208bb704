#pragma once
// UTF-8 decoding that never fails: an ill-formed sequence decodes to U+FFFD, one per
// maximal subpart (the Unicode/WHATWG rule), so every byte string has one meaning.
#include <cstddef>
#include <string>
#include <string_view>

namespace vkmoe {

constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Char {
  char32_t cp;        // kReplacementChar when ill-formed
  size_t length;      // bytes consumed, >= 1
  bool valid;
  bool truncated;     // ill-formed only because the input ended mid-character
};

// Decodes the character at s[pos] (pos < s.size()).
Utf8Char utf8_decode(std::string_view s, size_t pos);
void utf8_append(std::string& out, char32_t cp);
bool utf8_is_valid(std::string_view s);
// `s` with every ill-formed sequence replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

}  // namespace vkmoe
