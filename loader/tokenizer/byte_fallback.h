#pragma once
// The spelling of byte-fallback tokens, "<0x0A>": how SentencePiece and Hugging Face's BPE
// write a single byte that no other token covers.
#include <cstdint>
#include <string>
#include <string_view>

namespace vkmoe {

// "<0xAB>" for byte 0xAB (upper-case hex, as both libraries write it).
std::string byte_fallback_piece(uint8_t byte);
// The byte a "<0xAB>" piece stands for (either case of hex digit), or -1 for any other piece.
int byte_fallback_value(std::string_view piece);

}  // namespace vkmoe
