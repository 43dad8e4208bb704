#pragma once
// The element types a safetensors header names ("dtype"), their sizes, and the TensorType
// each maps to where vkmoe can use it directly.
#include <cstdint>
#include <optional>
#include <string_view>

#include "loader/model/tensor_type.h"

namespace vkmoe {

enum class SafetensorsDtype { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU64, kU32, kU16, kU8, kBool, kF8E4M3, kF8E5M2 };

// nullopt for a name the format does not define (or a newer one vkmoe does not know).
std::optional<SafetensorsDtype> safetensors_dtype_from_name(std::string_view name);
std::string_view safetensors_dtype_name(SafetensorsDtype dtype);
uint32_t safetensors_dtype_size(SafetensorsDtype dtype);
// nullopt where no TensorType holds the same bytes (unsigned, bool, float8).
std::optional<TensorType> tensor_type_for(SafetensorsDtype dtype);

}  // namespace vkmoe
