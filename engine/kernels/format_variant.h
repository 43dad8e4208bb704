#pragma once
// Shader variants per weight format are named <prefix>_<format in lower case>
// (vkmoe_weight_format_variants in shaders/common/weight_formats.cmake): "q4_k", "bf16", ...
#include <string>

#include "loader/model/tensor_type.h"

namespace vkmoe::kernels {

std::string format_variant_suffix(TensorType type);

}  // namespace vkmoe::kernels
