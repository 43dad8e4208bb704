#pragma once
// The tensor type each tensor gets in a file of a given FileType, following llama.cpp: the
// converter keeps vectors, biases and router weights in F32; llama-quantize's
// llama_tensor_get_type (src/llama-quant.cpp) picks the K-quant mixture for Q4_K_M.
#include <cstdint>
#include <span>
#include <string_view>

#include "apps/vkmoe-synth/file_type.h"
#include "apps/vkmoe-synth/shape_table.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::synth {

// name: the full GGUF name ("blk.3.attn_v.weight"); ne: its shape; n_layer: the file's block
// count (after --layers trims it, as llama-quantize would see the trimmed model).
TensorType tensor_type_for(std::string_view name, std::span<const uint64_t> ne, const ShapeConfig& shape,
                           uint32_t n_layer, FileType file_type);

}  // namespace vkmoe::synth
