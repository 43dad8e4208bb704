#pragma once
// Hyperparameters of one model, the same whichever file format they came from. Field names
// follow GGUF's `<arch>.*` keys where one exists; the comments give the Hugging Face
// config.json key beside it. Zero means "absent" for the optional counts.
#include <cstdint>
#include <string>
#include <vector>

namespace vkmoe {

// The forward-pass family. Mixtral is kLlama with experts, as in GGUF.
enum class Architecture { kLlama, kQwen2, kQwen2Moe, kQwen3, kQwen3Moe, kOlmoe, kDeepseek2, kGptOss };

// kNormal rotates adjacent pairs (x0,x1),(x2,x3)...; kNeox rotates (x_i, x_{i+d/2}).
// GGUF `llama` files hold q/k rows permuted for kNormal; the same model from a Hugging Face
// folder is unpermuted and uses kNeox. The loader sets whichever matches its weights.
enum class RopeStyle { kNormal, kNeox };
enum class RopeScalingType { kNone, kLinear, kYarn };

struct RopeConfig {
  RopeStyle style = RopeStyle::kNeox;
  float theta = 10000.0f;               // rope.freq_base / rope_theta
  uint32_t n_rot = 0;                   // rotated dims per head (rope.dimension_count)
  RopeScalingType scaling = RopeScalingType::kNone;
  float factor = 1.0f;                  // rope.scaling.factor
  uint32_t original_context = 0;        // rope.scaling.original_context_length
  float yarn_beta_fast = 32.0f;
  float yarn_beta_slow = 1.0f;
  float yarn_attn_factor = 1.0f;        // multiplies the YaRN mscale (DeepSeek: mscale/mscale_all_dim)
  bool yarn_truncate = true;            // false: correction range not rounded (gpt-oss)
};

enum class GatingFunction { kSoftmax, kSigmoid };

struct RouterConfig {
  GatingFunction gating = GatingFunction::kSoftmax;
  bool softmax_after_topk = false;      // gpt-oss: top-k on logits, then softmax over the k
  bool normalize_topk = false;          // norm_topk_prob / expert_weights_norm
  float routed_scaling = 1.0f;          // routed_scaling_factor / expert_weights_scale
  uint32_t n_group = 0;                 // group-limited top-k (DeepSeek-V3): groups ...
  uint32_t topk_group = 0;              // ... and how many groups survive
};

struct ModelConfig {
  Architecture arch = Architecture::kLlama;
  std::string arch_name;                // GGUF general.architecture, e.g. "qwen3moe"
  std::string name;                     // general.name or the folder name

  uint32_t n_vocab = 0;
  uint32_t n_embd = 0;                  // hidden_size
  uint32_t n_layer = 0;                 // num_hidden_layers
  uint32_t n_ctx_train = 0;             // max_position_embeddings
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;              // attention.key_length (head_dim; MLA: nope + rope)
  uint32_t head_dim_v = 0;              // attention.value_length
  float rms_norm_eps = 1e-6f;
  bool tie_embeddings = false;          // no output.weight: lm_head reuses token_embd

  // Feed-forward.
  uint32_t n_ff = 0;                    // dense FFN width (intermediate_size)
  uint32_t n_expert = 0;                // 0 for a dense model
  uint32_t n_expert_used = 0;           // top-k
  uint32_t n_ff_expert = 0;             // moe_intermediate_size
  uint32_t n_expert_shared = 0;         // shared experts (DeepSeek, Qwen2-MoE: 1)
  uint32_t n_ff_shared = 0;             // width of the shared expert(s) together
  uint32_t n_layer_dense_lead = 0;      // first_k_dense_replace
  RouterConfig router;
  float swiglu_limit = 0.0f;            // gpt-oss clamp (7.0); 0 = plain SwiGLU
  float swiglu_alpha = 1.702f;          // gpt-oss sigmoid slope

  // Attention variants.
  RopeConfig rope;
  uint32_t sliding_window = 0;          // 0 = none
  std::vector<bool> layer_uses_sliding_window;  // per layer; empty = none
  bool has_attention_sinks = false;     // gpt-oss
  bool has_qkv_bias = false;
  bool qk_norm_per_head = false;        // Qwen3: RMSNorm over each head's head_dim
  bool qk_norm_full = false;            // OLMoE: RMSNorm over the whole q / k projection
  float attention_scale = 0.0f;         // 0 = 1/sqrt(head_dim_k)

  // Multi-head latent attention (DeepSeek-V2/V3).
  uint32_t q_lora_rank = 0;             // 0 = q projected directly (V2-Lite)
  uint32_t kv_lora_rank = 0;
  uint32_t qk_nope_head_dim = 0;
  uint32_t qk_rope_head_dim = 0;

  uint32_t bos_token = UINT32_MAX;      // UINT32_MAX = none
  std::vector<uint32_t> eos_tokens;
};

const char* architecture_name(Architecture arch);

}  // namespace vkmoe
