#include "loader/gguf/gguf_value.h"

namespace vkmoe {

std::string gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::kU8: return "u8";
    case GgufType::kI8: return "i8";
    case GgufType::kU16: return "u16";
    case GgufType::kI16: return "i16";
    case GgufType::kU32: return "u32";
    case GgufType::kI32: return "i32";
    case GgufType::kF32: return "f32";
    case GgufType::kBool: return "bool";
    case GgufType::kString: return "string";
    case GgufType::kArray: return "array";
    case GgufType::kU64: return "u64";
    case GgufType::kI64: return "i64";
    case GgufType::kF64: return "f64";
  }
  return "type id " + std::to_string(static_cast<uint32_t>(type));
}

bool gguf_type_is_known(uint32_t id) { return id <= static_cast<uint32_t>(GgufType::kF64); }

uint32_t gguf_type_size(GgufType type) {
  switch (type) {
    case GgufType::kU8: case GgufType::kI8: case GgufType::kBool: return 1;
    case GgufType::kU16: case GgufType::kI16: return 2;
    case GgufType::kU32: case GgufType::kI32: case GgufType::kF32: return 4;
    case GgufType::kU64: case GgufType::kI64: case GgufType::kF64: return 8;
    case GgufType::kString: case GgufType::kArray: return 0;
  }
  return 0;
}

bool gguf_type_is_integer(GgufType type) {
  switch (type) {
    case GgufType::kU8: case GgufType::kI8: case GgufType::kU16: case GgufType::kI16:
    case GgufType::kU32: case GgufType::kI32: case GgufType::kU64: case GgufType::kI64: return true;
    default: return false;
  }
}

std::string GgufValue::type_description() const {
  if (type != GgufType::kArray) return gguf_type_name(type);
  if (elem_type == GgufType::kArray) {
    return "array of " + (arrays.empty() ? std::string("array") : arrays.front().type_description());
  }
  return "array of " + gguf_type_name(elem_type);
}

}  // namespace vkmoe
