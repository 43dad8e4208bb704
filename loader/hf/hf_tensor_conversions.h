#pragma once
// The Hugging Face tensors whose layout differs from GGUF's, converted once into bytes the
// ModelSpec owns. Element type is kept (the copies move whole elements). Each function checks
// the HF shape against the config and throws kInvalidFile naming the tensor when it differs.
#include <cstdint>
#include <string>
#include <vector>

#include "loader/model/model_config.h"
#include "loader/safetensors/safetensors_file.h"

namespace vkmoe {

struct ConvertedTensor {
  std::string name;
  std::vector<uint64_t> ne;
  std::vector<uint8_t> bytes;
};

// DeepSeek kv_b_proj [n_head * (nope + v), kv_lora] (rows: per head, nope key rows then v
// value rows) → `blk`attn_k_b ne {nope, kv_lora, n_head} (each head's key block transposed,
// so q_nope · k_b maps into the latent) and `blk`attn_v_b ne {kv_lora, v, n_head}.
std::vector<ConvertedTensor> split_mla_kv_b(const SafetensorsTensor& kv_b, const std::string& blk, const ModelConfig& c);

// gpt-oss experts.gate_up_proj [E, in, 2 ff], used as x · W with gate and up in alternating
// columns → ffn_gate_exps and ffn_up_exps, ne {in, ff, E}.
std::vector<ConvertedTensor> split_gpt_oss_gate_up(const SafetensorsTensor& gate_up, const std::string& blk, const ModelConfig& c);
// experts.gate_up_proj_bias [E, 2 ff], alternating → ffn_gate_exps.bias and ffn_up_exps.bias, ne {ff, E}.
std::vector<ConvertedTensor> split_gpt_oss_gate_up_bias(const SafetensorsTensor& bias, const std::string& blk, const ModelConfig& c);
// experts.down_proj [E, ff, out], used as x · W → ffn_down_exps ne {ff, out, E}.
ConvertedTensor transpose_gpt_oss_down(const SafetensorsTensor& down, const std::string& blk, const ModelConfig& c);

}  // namespace vkmoe
