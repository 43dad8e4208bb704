#pragma once
// The scratch tensors of one ForwardPass, sized for max_tokens tokens per step. Private to
// the forward_*.cpp files. Shapes use T = tokens, H = n_embd, E = experts, k = top-k.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/model/forward_pass.h"
#include "engine/model/model_weights.h"

namespace vkmoe {

struct ForwardPass::Buffers {
  vk::Buffer token_ids, positions;      // (T) uint32, host visible
  vk::Buffer x, xn, tmp;                // (T, H): residual stream, normed input, block output
  vk::Buffer q, k, v, attn;             // (T, heads * head dims)
  vk::Buffer attn_scratch;              // split-K partials of decode attention
  // Multi-head latent attention (DeepSeek): per-head matmuls run as "experts" over heads.
  vk::Buffer q_lora;                    // (T, q_lora_rank)
  vk::Buffer kv_latent;                 // (T, kv_lora_rank + rope): compressed KV and k_pe
  vk::Buffer kv_row;                    // (T, kv_lora_rank + rope): normed latent | roped k_pe
  vk::Buffer heads_in, heads_out;       // (n_head, T, max dim): per-head token blocks
  vk::Buffer q_mla;                     // (T, n_head, kv_lora_rank + rope)
  vk::Buffer head_offsets;              // (n_head + 1) uint32, host visible: h * T
  vk::Buffer head_slots;                // (n_head) uint32: identity
  // Mixture of experts.
  vk::Buffer router_logits;             // (T, E)
  vk::Buffer expert_ids, expert_weights;  // (T, k)
  vk::Buffer expert_offsets;            // (E + 1) uint32
  vk::Buffer expert_rows, expert_sources;  // (T * k) uint32
  vk::Buffer expert_gemv_tiles;          // (expert_gemv_tiles(T * k, E)) uint32 pairs
  vk::Buffer expert_usage_readback;     // (L, E + 1) uint32, host read: each MoE layer's expert offsets of the last step
  // Every expert resident: per layer, windows of experts that fit one binding, each with a
  // slot table (expert e → e - first inside the window, kAbsentSlot outside). Usually one.
  struct ExpertWindow {
    uint32_t first = 0, count = 0;
    vk::BufferRange table;
  };
  std::vector<std::vector<ExpertWindow>> expert_windows;
  vk::Buffer window_tables;
  vk::Buffer y_grouped;                 // (T * k, H): the routed rows' down projections
  vk::Buffer gate, up;                  // (max(T * k * ff_expert, T * ff, T * ff_shared))
  // Expert streaming only.
  vk::Buffer routing_readback;          // (E + 1 + T * k) uint32, host read: expert offsets, predicted ids
  vk::Buffer xn_next, predicted_logits; // (T, H), (T, E): the next layer's router on this hidden state
  vk::Buffer predicted_ids, predicted_weights;  // (T, k)
  vk::Buffer shared_out;                // (T, H)
  vk::Buffer shared_scale;              // (T, 1): Qwen2-MoE's shared-expert gate logit
  vk::Buffer logits;                    // (T, V)
  // One uint32, zero between dispatches: the last-workgroup ticket of a one-token step's
  // kernels that end with their block's next step (the router's matmul with its top-k, GEMVs
  // with their residual add or scatter), which barriers keep from running at once.
  vk::Buffer ticket;
  vk::Buffer unit_row, unit_weight;     // (1) uint32 0 and float 1: a dense GEMV's row as a ScatterAfter
  vk::Buffer hidden;                    // (L + 1, T, H) when capturing
};

// What one expert-matmul dispatch reads: a slot table and, per matrix, the pool it indexes.
struct ForwardPass::ExpertDispatch {
  vk::BufferRange slot_table;
  kernels::ExpertWeights matrices[kExpertMatrices];
};

inline kernels::MatmulWeight matmul_weight(const DeviceTensor& t) {
  return {t.range(), t.type, static_cast<uint32_t>(t.ne[0]), static_cast<uint32_t>(t.ne[1])};
}


inline bool is_moe_layer(const ModelConfig& c, uint32_t layer) { return c.n_expert > 0 && layer >= c.n_layer_dense_lead; }

// gpt-oss names the norm before its MoE block after the attention.
inline const char* ffn_norm_name(const ModelConfig& c) {
  return c.arch == Architecture::kGptOss ? "post_attention_norm.weight" : "ffn_norm.weight";
}

// A sub-range of `count` floats starting at float `first`.
inline vk::BufferRange floats(const vk::Buffer& b, uint64_t first, uint64_t count) {
  return b.range(first * 4, std::max<uint64_t>(count, 1) * 4);
}

}  // namespace vkmoe
