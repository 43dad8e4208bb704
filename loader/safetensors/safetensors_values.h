#pragma once
// A tensor's elements as a flat vector (row-major), for tests and small tensors.
#include <cstdint>
#include <vector>

#include "loader/safetensors/safetensors_file.h"

namespace vkmoe {

// F64, F32, F16 and BF16 tensors; other dtypes throw kUnsupported naming the tensor.
std::vector<float> to_float_vector(const SafetensorsTensor& tensor);
// Integer and BOOL tensors; a value outside int32's range throws kInvalidArgument.
std::vector<int32_t> to_int32_vector(const SafetensorsTensor& tensor);

}  // namespace vkmoe
