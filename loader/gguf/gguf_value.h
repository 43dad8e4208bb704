#pragma once
// One GGUF metadata value, as a view into the mapped file (zero copy). Scalars keep their
// little-endian bytes; strings are views; arrays keep their element type, count and either
// the packed bytes (fixed-size elements), the string views, or the nested arrays.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe {

// gguf_type ids as the format stores them.
enum class GgufType : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
  kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

// "u32", "string", ... ; "type id N" for an id outside the table.
std::string gguf_type_name(GgufType type);
bool gguf_type_is_known(uint32_t id);
// Bytes of one element of a fixed-size type; 0 for string and array.
uint32_t gguf_type_size(GgufType type);
bool gguf_type_is_integer(GgufType type);

struct GgufValue {
  GgufType type = GgufType::kU8;
  std::span<const uint8_t> raw;           // scalar bytes, or the packed elements of a fixed-size array
  std::string_view str;                   // kString
  GgufType elem_type = GgufType::kU8;     // kArray
  uint64_t count = 0;                     // kArray: element count
  std::vector<std::string_view> strings;  // kArray of kString
  std::vector<GgufValue> arrays;          // kArray of kArray

  // "u32", "array of string", "array of array of f32" ...
  std::string type_description() const;
};

}  // namespace vkmoe
