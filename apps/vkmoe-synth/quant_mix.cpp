#include "apps/vkmoe-synth/quant_mix.h"

#include <charconv>

#include "loader/gguf/gguf_export.h"

namespace vkmoe::synth {
namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// "blk.12.x" → 12; -1 for a global tensor.
int layer_of(std::string_view name) {
  if (!name.starts_with("blk.")) return -1;
  int layer = -1;
  std::from_chars(name.data() + 4, name.data() + name.size(), layer);
  return layer;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third one
// between get the bigger type.
bool use_more_bits(int i_layer, int n_layer) {
  return i_layer < n_layer / 8 || i_layer >= 7 * n_layer / 8 || (i_layer - n_layer / 8) % 3 == 2;
}

// Q4_K_M's choice before the row-size check. Layer counters in llama.cpp equal the layer index
// here: it visits tensors sorted by layer and every layer has one attn_v.
TensorType q4_k_m_choice(std::string_view name, const ShapeConfig& shape, int n_layer) {
  const int layer = layer_of(name);
  const bool eight_experts = shape.n_expert == 8;
  if (name == "output.weight") return TensorType::kQ6_K;  // becomes Q8_0 when rows are not whole super-blocks
  if (contains(name, "attn_v.weight")) {
    if (eight_experts) return TensorType::kQ8_0;
    return use_more_bits(layer, n_layer) ? TensorType::kQ6_K : TensorType::kQ4_K;
  }
  if (contains(name, "attn_k.weight")) return eight_experts ? TensorType::kQ8_0 : TensorType::kQ4_K;
  if (contains(name, "ffn_down")) return use_more_bits(layer, n_layer) ? TensorType::kQ6_K : TensorType::kQ4_K;
  if (contains(name, "attn_output.weight") && eight_experts) return TensorType::kQ5_K;
  return TensorType::kQ4_K;
}

// llama.cpp's fallback when a row is not a whole number of 256-element super-blocks.
TensorType fit_rows(TensorType type, uint64_t row) {
  if (row % tensor_type_info(type).block_elements == 0) return type;
  switch (type) {
    case TensorType::kQ4_K: type = TensorType::kQ5_0; break;
    case TensorType::kQ5_K: type = TensorType::kQ5_1; break;
    case TensorType::kQ6_K: type = TensorType::kQ8_0; break;
    default: break;
  }
  return row % tensor_type_info(type).block_elements == 0 ? type : TensorType::kF16;
}

}  // namespace

TensorType tensor_type_for(std::string_view name, std::span<const uint64_t> ne, const ShapeConfig& shape,
                           uint32_t n_layer, FileType file_type) {
  // The converter writes these in F32 (router weights included); llama-quantize keeps them.
  if (llama_keeps_float32(name, static_cast<uint32_t>(ne.size()))) return TensorType::kF32;
  switch (file_type) {
    case FileType::kF16: return TensorType::kF16;
    case FileType::kQ8_0: return fit_rows(TensorType::kQ8_0, ne[0]);
    case FileType::kMXFP4:
      return fit_rows(contains(name, "_exps.weight") ? TensorType::kMXFP4 : TensorType::kQ8_0, ne[0]);
    case FileType::kQ4_K_M: return fit_rows(q4_k_m_choice(name, shape, static_cast<int>(n_layer)), ne[0]);
  }
  return TensorType::kF32;
}

}  // namespace vkmoe::synth
