#include "loader/tokenizer/char_class.h"

#include <algorithm>
#include <array>

#include "loader/tokenizer/unicode_tables.h"

namespace vkmoe {
namespace {

uint16_t bits_of(UnicodeCategory c) {
  using C = UnicodeCategory;
  switch (c) {
    case C::kLu: return char_class::kUpper;
    case C::kLl: return char_class::kLower;
    case C::kLt: return char_class::kTitle;
    case C::kLm: return char_class::kModifier;
    case C::kLo: return char_class::kOtherLetter;
    case C::kMn: case C::kMc: case C::kMe: return char_class::kMark;
    case C::kNd: case C::kNl: case C::kNo: return char_class::kNumber;
    case C::kPc: case C::kPd: case C::kPs: case C::kPe: case C::kPi: case C::kPf: case C::kPo:
      return char_class::kPunct;
    case C::kSm: case C::kSc: case C::kSk: case C::kSo: return char_class::kSymbol;
    default: return 0;
  }
}

template <class Range>
const Range* find_range(std::span<const Range> ranges, char32_t cp) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                             [](char32_t value, const Range& r) { return value < r.first; });
  if (it == ranges.begin()) return nullptr;
  --it;
  return cp <= it->last ? &*it : nullptr;
}

uint16_t classify_slow(char32_t cp) {
  uint16_t bits = 0;
  if (const auto* r = find_range(unicode_category_ranges(), cp)) bits = bits_of(r->category);
  if (find_range(unicode_white_space_ranges(), cp)) bits |= char_class::kSpace;
  return bits;
}

}  // namespace

uint16_t classify_char(char32_t cp) {
  // Most text is ASCII; a table spares it the two binary searches.
  static const std::array<uint16_t, 128> ascii = [] {
    std::array<uint16_t, 128> table{};
    for (char32_t c = 0; c < 128; ++c) table[c] = classify_slow(c);
    return table;
  }();
  return cp < 128 ? ascii[cp] : classify_slow(cp);
}

}  // namespace vkmoe
