#pragma once
// Tensor element types with the ids GGUF stores (ggml's GGML_TYPE_*), and their block layout.
#include <cstdint>
#include <optional>
#include <string_view>

namespace vkmoe {

enum class TensorType : uint32_t {
  kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8, kQ8_1 = 9,
  kQ2_K = 10, kQ3_K = 11, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kQ8_K = 15,
  kIQ2_XXS = 16, kIQ2_XS = 17, kIQ3_XXS = 18, kIQ1_S = 19, kIQ4_NL = 20, kIQ3_S = 21,
  kIQ2_S = 22, kIQ4_XS = 23, kI8 = 24, kI16 = 25, kI32 = 26, kI64 = 27, kF64 = 28,
  kIQ1_M = 29, kBF16 = 30, kTQ1_0 = 34, kTQ2_0 = 35, kMXFP4 = 39,
};

struct TensorTypeInfo {
  TensorType type;
  std::string_view name;    // as ggml prints it: "Q4_K", "F16", ...
  uint32_t block_elements;  // elements per block along ne[0]
  uint32_t block_bytes;     // bytes per block
};

// nullopt for an id GGUF does not define (a hostile or newer file).
std::optional<TensorTypeInfo> tensor_type_info(uint32_t ggml_type_id);
TensorTypeInfo tensor_type_info(TensorType type);
std::optional<TensorType> tensor_type_from_name(std::string_view name);

}  // namespace vkmoe
