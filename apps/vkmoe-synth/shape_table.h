#pragma once
// The model shapes vkmoe-synth can write: published hyperparameters of real MoE models (and
// `tiny`, a few-megabyte model for tests), in the units GGUF's `<arch>.*` keys use.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vkmoe::synth {

struct YarnScaling {
  float factor = 0.0f;                  // 0 = no rope scaling
  uint32_t original_context = 0;
  float beta_fast = 32.0f;
  float beta_slow = 1.0f;
  float log_multiplier = 0.0f;          // DeepSeek: 0.1 * mscale_all_dim; 0 = not written
};

struct ShapeConfig {
  std::string_view name;                // the --shape value
  std::string_view display_name;        // general.name
  std::string_view gguf_arch;           // general.architecture
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_ctx_train;
  uint32_t n_head;
  uint32_t n_head_kv;                   // MLA: 1 (GGUF describes the latent cache as one kv head)
  uint32_t head_dim;                    // per-head q/k dim (MLA: nope + rope)
  uint32_t head_dim_v;
  uint32_t n_ff;                        // dense FFN width (feed_forward_length)
  uint32_t n_expert;
  uint32_t n_expert_used;
  uint32_t n_ff_expert;
  uint32_t n_expert_shared;             // shared experts (their tensors are n_expert_shared * n_ff_expert wide)
  uint32_t n_layer_dense_lead;          // leading dense layers (DeepSeek)
  float rope_theta;
  uint32_t n_rot;                       // rope.dimension_count (MLA: the rope part of a head)
  float rms_norm_eps;
  YarnScaling yarn;
  uint32_t sliding_window;              // gpt-oss; 0 = none
  uint32_t kv_lora_rank;                // MLA; 0 = ordinary attention
  uint32_t q_lora_rank;                 // MLA; 0 = q projected directly
  bool expert_weights_norm;             // renormalise the top-k weights
  float expert_weights_scale;           // DeepSeek routed scaling; 0 = not written
};

std::span<const ShapeConfig> all_shapes();
// nullptr when no shape has that name.
const ShapeConfig* find_shape(std::string_view name);
// "mixtral-8x7b, mixtral-8x22b, ..." for error messages.
std::string shape_names();

}  // namespace vkmoe::synth
