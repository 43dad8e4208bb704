#include "loader/tokenizer/byte_level.h"

#include <array>

namespace vkmoe {
namespace {

bool maps_to_itself(int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

std::array<char32_t, 256> build_byte_map() {
  std::array<char32_t, 256> map{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) map[b] = maps_to_itself(b) ? static_cast<char32_t>(b) : next++;
  return map;
}

const std::array<char32_t, 256>& byte_map() {
  static const std::array<char32_t, 256> map = build_byte_map();
  return map;
}

}  // namespace

char32_t byte_to_codepoint(uint8_t byte) { return byte_map()[byte]; }

int codepoint_to_byte(char32_t cp) {
  // The image of the map is U+0021..U+0143, so a table over U+0000..U+0143 inverts it.
  static const std::array<int16_t, 256 + 68> inverse = [] {
    std::array<int16_t, 256 + 68> table{};
    table.fill(-1);
    for (int b = 0; b < 256; ++b) table[byte_map()[b]] = static_cast<int16_t>(b);
    return table;
  }();
  return cp < inverse.size() ? inverse[cp] : -1;
}

}  // namespace vkmoe
