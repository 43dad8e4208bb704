#pragma once
// The character classes that pre-tokenizer patterns test (\p{L}, \p{Lu}, \p{N}, \p{M},
// \p{P}, \p{S}, \s), as one bit set per code point.
#include <cstdint>

namespace vkmoe {

namespace char_class {
constexpr uint16_t kUpper = 1 << 0;     // Lu
constexpr uint16_t kLower = 1 << 1;     // Ll
constexpr uint16_t kTitle = 1 << 2;     // Lt
constexpr uint16_t kModifier = 1 << 3;  // Lm
constexpr uint16_t kOtherLetter = 1 << 4;  // Lo
constexpr uint16_t kMark = 1 << 5;      // M
constexpr uint16_t kNumber = 1 << 6;    // N
constexpr uint16_t kPunct = 1 << 7;     // P
constexpr uint16_t kSymbol = 1 << 8;    // S
constexpr uint16_t kSpace = 1 << 9;     // White_Space (what \s matches)
constexpr uint16_t kLetter = kUpper | kLower | kTitle | kModifier | kOtherLetter;
}  // namespace char_class

// Bits of char_class for `cp`; 0 for unassigned code points and for values past U+10FFFF.
uint16_t classify_char(char32_t cp);

}  // namespace vkmoe
