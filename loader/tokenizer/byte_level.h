#pragma once
// GPT-2's reversible map between bytes and printable code points, which byte-level BPE
// vocabularies are written in: printable Latin-1 bytes map to themselves, the other 68
// bytes to U+0100 onward in byte order (so a space is 'Ġ' U+0120, a newline 'Ċ' U+010A).
#include <cstdint>
#include <string>

namespace vkmoe {

char32_t byte_to_codepoint(uint8_t byte);
// The byte that `cp` stands for, or -1 when `cp` is not in the map.
int codepoint_to_byte(char32_t cp);

}  // namespace vkmoe
