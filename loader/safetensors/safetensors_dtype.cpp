#include "loader/safetensors/safetensors_dtype.h"

#include <array>

namespace vkmoe {
namespace {

struct DtypeInfo {
  SafetensorsDtype dtype;
  std::string_view name;
  uint32_t size;
  std::optional<TensorType> tensor_type;
};

constexpr std::array kDtypes = {
    DtypeInfo{SafetensorsDtype::kF64, "F64", 8, TensorType::kF64},
    DtypeInfo{SafetensorsDtype::kF32, "F32", 4, TensorType::kF32},
    DtypeInfo{SafetensorsDtype::kF16, "F16", 2, TensorType::kF16},
    DtypeInfo{SafetensorsDtype::kBF16, "BF16", 2, TensorType::kBF16},
    DtypeInfo{SafetensorsDtype::kI64, "I64", 8, TensorType::kI64},
    DtypeInfo{SafetensorsDtype::kI32, "I32", 4, TensorType::kI32},
    DtypeInfo{SafetensorsDtype::kI16, "I16", 2, TensorType::kI16},
    DtypeInfo{SafetensorsDtype::kI8, "I8", 1, TensorType::kI8},
    DtypeInfo{SafetensorsDtype::kU64, "U64", 8, std::nullopt},
    DtypeInfo{SafetensorsDtype::kU32, "U32", 4, std::nullopt},
    DtypeInfo{SafetensorsDtype::kU16, "U16", 2, std::nullopt},
    DtypeInfo{SafetensorsDtype::kU8, "U8", 1, std::nullopt},
    DtypeInfo{SafetensorsDtype::kBool, "BOOL", 1, std::nullopt},
    DtypeInfo{SafetensorsDtype::kF8E4M3, "F8_E4M3", 1, std::nullopt},
    DtypeInfo{SafetensorsDtype::kF8E5M2, "F8_E5M2", 1, std::nullopt},
};

static_assert([] {
  for (size_t i = 0; i < kDtypes.size(); ++i) {
    if (static_cast<size_t>(kDtypes[i].dtype) != i) return false;
  }
  return true;
}(), "kDtypes is indexed by SafetensorsDtype");

const DtypeInfo& info(SafetensorsDtype dtype) { return kDtypes[static_cast<size_t>(dtype)]; }

}  // namespace

std::optional<SafetensorsDtype> safetensors_dtype_from_name(std::string_view name) {
  for (const auto& d : kDtypes) {
    if (d.name == name) return d.dtype;
  }
  return std::nullopt;
}

std::string_view safetensors_dtype_name(SafetensorsDtype dtype) { return info(dtype).name; }
uint32_t safetensors_dtype_size(SafetensorsDtype dtype) { return info(dtype).size; }
std::optional<TensorType> tensor_type_for(SafetensorsDtype dtype) { return info(dtype).tensor_type; }

}  // namespace vkmoe
