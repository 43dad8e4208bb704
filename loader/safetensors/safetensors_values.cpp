#include "loader/safetensors/safetensors_values.h"

#include <limits>
#include <string>
#include <utility>

#include "loader/base/byte_load.h"
#include "loader/base/error.h"
#include "loader/base/half.h"

namespace vkmoe {
namespace {

template <typename Out, typename In, typename Convert>
std::vector<Out> convert_all(const SafetensorsTensor& t, Convert convert) {
  std::vector<Out> out(t.bytes.size() / sizeof(In));
  for (size_t i = 0; i < out.size(); ++i) out[i] = convert(load_le<In>(t.bytes.data() + i * sizeof(In)));
  return out;
}

template <typename In>
std::vector<int32_t> narrow_all(const SafetensorsTensor& t) {
  return convert_all<int32_t, In>(t, [&](In v) {
    if (std::cmp_less(v, std::numeric_limits<int32_t>::min()) || std::cmp_greater(v, std::numeric_limits<int32_t>::max())) {
      throw Error(ErrorCode::kInvalidArgument, "tensor '" + t.name + "': value " + std::to_string(v) + " does not fit in int32");
    }
    return static_cast<int32_t>(v);
  });
}

[[noreturn]] void unsupported(const SafetensorsTensor& t, const char* target) {
  throw Error(ErrorCode::kUnsupported,
              "tensor '" + t.name + "': dtype " + std::string(safetensors_dtype_name(t.dtype)) + " does not convert to " + target);
}

}  // namespace

std::vector<float> to_float_vector(const SafetensorsTensor& t) {
  switch (t.dtype) {
    case SafetensorsDtype::kF64: return convert_all<float, double>(t, [](double v) { return static_cast<float>(v); });
    case SafetensorsDtype::kF32: return convert_all<float, float>(t, [](float v) { return v; });
    case SafetensorsDtype::kF16: return convert_all<float, uint16_t>(t, f16_to_float);
    case SafetensorsDtype::kBF16: return convert_all<float, uint16_t>(t, bf16_to_float);
    default: unsupported(t, "float");
  }
}

std::vector<int32_t> to_int32_vector(const SafetensorsTensor& t) {
  switch (t.dtype) {
    case SafetensorsDtype::kI64: return narrow_all<int64_t>(t);
    case SafetensorsDtype::kI32: return narrow_all<int32_t>(t);
    case SafetensorsDtype::kI16: return narrow_all<int16_t>(t);
    case SafetensorsDtype::kI8: return narrow_all<int8_t>(t);
    case SafetensorsDtype::kU64: return narrow_all<uint64_t>(t);
    case SafetensorsDtype::kU32: return narrow_all<uint32_t>(t);
    case SafetensorsDtype::kU16: return narrow_all<uint16_t>(t);
    case SafetensorsDtype::kU8:
    case SafetensorsDtype::kBool: return narrow_all<uint8_t>(t);
    default: unsupported(t, "int32");
  }
}

}  // namespace vkmoe
