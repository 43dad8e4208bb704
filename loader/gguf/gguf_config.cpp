#include "loader/gguf/gguf_config.h"

#include <cmath>
#include <optional>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

struct ArchInfo {
  const char* gguf_name;
  Architecture arch;
  RopeStyle rope;  // the layout of q/k rows in GGUF files of this architecture (llama.cpp's rope type)
};

constexpr ArchInfo kArchitectures[] = {
    {"llama", Architecture::kLlama, RopeStyle::kNormal},
    {"qwen2", Architecture::kQwen2, RopeStyle::kNeox},
    {"qwen2moe", Architecture::kQwen2Moe, RopeStyle::kNeox},
    {"qwen3", Architecture::kQwen3, RopeStyle::kNeox},
    {"qwen3moe", Architecture::kQwen3Moe, RopeStyle::kNeox},
    {"olmoe", Architecture::kOlmoe, RopeStyle::kNeox},
    {"deepseek2", Architecture::kDeepseek2, RopeStyle::kNormal},
    {"gpt-oss", Architecture::kGptOss, RopeStyle::kNeox},
};

const ArchInfo& find_architecture(std::string_view name, const std::string& path) {
  for (const auto& a : kArchitectures) {
    if (name == a.gguf_name) return a;
  }
  std::string known;
  for (const auto& a : kArchitectures) known += std::string(known.empty() ? "" : ", ") + a.gguf_name;
  throw Error(ErrorCode::kUnsupported,
              path + ": architecture '" + std::string(name) + "' is not supported (supported: " + known + ")");
}

// `<arch>.<key>` lookups with the file name in every error.
class ArchKeys {
 public:
  ArchKeys(const GgufMetadata& m, std::string arch, const std::string& path) : m_(m), prefix_(arch + "."), path_(path) {}

  std::string key(const char* k) const { return prefix_ + k; }
  uint32_t u32(const char* k) const { return m_.get_u32(key(k)); }
  std::optional<uint32_t> opt_u32(const char* k) const { return m_.find_u32(key(k)); }
  uint32_t u32_or(const char* k, uint32_t fallback) const { return opt_u32(k).value_or(fallback); }
  std::optional<float> opt_f32(const char* k) const { return m_.find_f32(key(k)); }
  float f32_or(const char* k, float fallback) const { return opt_f32(k).value_or(fallback); }
  std::optional<bool> opt_bool(const char* k) const { return m_.find_bool(key(k)); }
  std::optional<std::string_view> opt_string(const char* k) const { return m_.find_string(key(k)); }

  // A count that must be positive when present.
  uint32_t positive(const char* k) const {
    uint32_t v = u32(k);
    if (v == 0) fail(key(k) + " is 0");
    return v;
  }

  [[noreturn]] void fail(const std::string& what) const { throw Error(ErrorCode::kInvalidFile, path_ + ": " + what); }

 private:
  const GgufMetadata& m_;
  std::string prefix_;
  const std::string& path_;
};

void read_rope(const ArchKeys& k, ModelConfig& c, const std::string& path) {
  c.rope.theta = k.f32_or("rope.freq_base", 10000.0f);
  c.rope.n_rot = k.u32_or("rope.dimension_count", c.head_dim_k);
  if (c.rope.n_rot > c.head_dim_k || c.rope.n_rot % 2 != 0) {
    k.fail(k.key("rope.dimension_count") + " = " + std::to_string(c.rope.n_rot) + " does not fit head dim " +
           std::to_string(c.head_dim_k));
  }
  // Older files give only rope.scale_linear, which implies linear scaling.
  auto declared = k.opt_string("rope.scaling.type");
  float factor = k.f32_or("rope.scaling.factor", k.f32_or("rope.scale_linear", 1.0f));
  std::string type = declared ? std::string(*declared) : factor != 1.0f ? "linear" : "none";
  if (type == "none") return;
  if (type == "linear") {
    c.rope.scaling = RopeScalingType::kLinear;
  } else if (type == "yarn") {
    c.rope.scaling = RopeScalingType::kYarn;
  } else {
    throw Error(ErrorCode::kUnsupported, path + ": rope scaling '" + type + "' is not supported");
  }
  if (!(factor > 0.0f)) k.fail(k.key("rope.scaling.factor") + " = " + std::to_string(factor) + " is not positive");
  c.rope.factor = factor;
  c.rope.original_context = k.u32_or("rope.scaling.original_context_length", c.n_ctx_train);
  c.rope.yarn_beta_fast = k.f32_or("rope.scaling.yarn_beta_fast", 32.0f);
  c.rope.yarn_beta_slow = k.f32_or("rope.scaling.yarn_beta_slow", 1.0f);
  c.rope.yarn_attn_factor = k.f32_or("rope.scaling.yarn_attn_factor", k.f32_or("rope.scaling.attn_factor", 1.0f));
  // DeepSeek's YaRN: the converter stores 0.1 * mscale_all_dim as the log multiplier and
  // assumes mscale == mscale_all_dim, so the rotation's own mscale cancels (attn factor
  // 1 / (1 + 0.1 ln s)) and the attention scale grows by (1 + log_mul ln s)^2.
  if (auto log_mul = k.opt_f32("rope.scaling.yarn_log_multiplier");
      log_mul && *log_mul > 0.0f && c.rope.scaling == RopeScalingType::kYarn && factor > 1.0f) {
    float m = 1.0f + *log_mul * std::log(factor);
    c.rope.yarn_attn_factor = 1.0f / (1.0f + 0.1f * std::log(factor));
    c.attention_scale = m * m / std::sqrt(static_cast<float>(c.head_dim_k));
  }
}

void read_router(const ArchKeys& k, ModelConfig& c, const std::string& path) {
  auto gating = k.opt_u32("expert_gating_func");
  if (!gating || *gating == 1) {
    c.router.gating = GatingFunction::kSoftmax;
  } else if (*gating == 2) {
    c.router.gating = GatingFunction::kSigmoid;
  } else {
    throw Error(ErrorCode::kUnsupported,
                path + ": " + k.key("expert_gating_func") + " = " + std::to_string(*gating) + " is not supported");
  }
  // Top-k renormalisation where the file does not say: llama.cpp's per-architecture choice
  // (Mixtral and Qwen3-MoE renormalise; Qwen2-MoE, OLMoE, DeepSeek-V2 do not).
  bool default_norm = c.arch == Architecture::kLlama || c.arch == Architecture::kQwen3Moe;
  c.router.normalize_topk = k.opt_bool("expert_weights_norm").value_or(default_norm);
  float scale = k.f32_or("expert_weights_scale", 1.0f);
  c.router.routed_scaling = scale > 0.0f ? scale : 1.0f;
  c.router.n_group = k.u32_or("expert_group_count", 0);
  c.router.topk_group = k.u32_or("expert_group_used_count", 0);
  if (c.router.n_group != 0 && (c.n_expert % c.router.n_group != 0 || c.router.topk_group > c.router.n_group)) {
    k.fail("expert groups " + std::to_string(c.router.topk_group) + " of " + std::to_string(c.router.n_group) +
           " do not fit " + std::to_string(c.n_expert) + " experts");
  }
  if (c.arch == Architecture::kGptOss) c.router.softmax_after_topk = true;
}

void read_experts(const ArchKeys& k, const GgufFile& file, ModelConfig& c) {
  c.n_expert = k.u32_or("expert_count", 0);
  if (c.n_expert == 0) return;
  c.n_expert_used = k.positive("expert_used_count");
  if (c.n_expert_used > c.n_expert) {
    k.fail("expert_used_count " + std::to_string(c.n_expert_used) + " exceeds expert_count " + std::to_string(c.n_expert));
  }
  // Mixtral and OLMoE files carry only feed_forward_length, which is the expert width.
  c.n_ff_expert = k.u32_or("expert_feed_forward_length", c.n_ff);
  c.n_layer_dense_lead = k.u32_or("leading_dense_block_count", 0);
  if (c.n_layer_dense_lead > c.n_layer) k.fail("leading_dense_block_count exceeds block_count");
  const GgufTensorInfo* shexp = nullptr;
  for (uint32_t il = 0; il < c.n_layer && shexp == nullptr; ++il) {
    shexp = file.find_tensor("blk." + std::to_string(il) + ".ffn_up_shexp.weight");
  }
  c.n_expert_shared = k.u32_or("expert_shared_count", shexp != nullptr ? 1 : 0);
  if (c.n_expert_shared > 0) {
    uint32_t from_shape = shexp != nullptr ? static_cast<uint32_t>(shexp->ne[1]) : c.n_ff_expert * c.n_expert_shared;
    c.n_ff_shared = k.u32_or("expert_shared_feed_forward_length", from_shape);
  }
  read_router(k, c, file.path());
}

void read_attention(const ArchKeys& k, const GgufFile& file, ModelConfig& c) {
  c.n_head = k.positive("attention.head_count");
  c.n_head_kv = k.u32_or("attention.head_count_kv", c.n_head);
  if (c.n_head_kv == 0 || c.n_head % c.n_head_kv != 0) {
    k.fail("attention.head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
           std::to_string(c.n_head_kv));
  }
  if (c.n_embd % c.n_head != 0 && !k.opt_u32("attention.key_length")) {
    k.fail("embedding_length " + std::to_string(c.n_embd) + " is not a multiple of head_count " + std::to_string(c.n_head));
  }
  c.head_dim_k = k.u32_or("attention.key_length", c.n_embd / c.n_head);
  c.head_dim_v = k.u32_or("attention.value_length", c.head_dim_k);
  float eps = k.f32_or("attention.layer_norm_rms_epsilon", k.f32_or("attention.layer_norm_epsilon", 1e-6f));
  if (!(eps > 0.0f)) k.fail("layer_norm_rms_epsilon " + std::to_string(eps) + " is not positive");
  c.rms_norm_eps = eps;
  c.attention_scale = k.f32_or("attention.scale", 0.0f);
  c.has_qkv_bias = file.find_tensor("blk.0.attn_q.bias") != nullptr;

  if (const GgufTensorInfo* qn = file.find_tensor("blk.0.attn_q_norm.weight")) {
    if (qn->ne[0] == c.head_dim_k) {
      c.qk_norm_per_head = true;
    } else if (qn->ne[0] == uint64_t{c.n_head} * c.head_dim_k) {
      c.qk_norm_full = true;
    } else {
      k.fail("tensor 'blk.0.attn_q_norm.weight' has " + std::to_string(qn->ne[0]) + " elements, neither head dim " +
             std::to_string(c.head_dim_k) + " nor n_head * head dim");
    }
  }

  c.sliding_window = k.u32_or("attention.sliding_window", 0);
  if (c.arch == Architecture::kGptOss) {
    // gpt-oss alternates sliding-window and full attention, starting with a windowed layer.
    c.layer_uses_sliding_window.resize(c.n_layer);
    for (uint32_t il = 0; il < c.n_layer; ++il) c.layer_uses_sliding_window[il] = c.sliding_window > 0 && il % 2 == 0;
    c.has_attention_sinks = true;
    c.swiglu_limit = 7.0f;
  }
}

void read_mla(const ArchKeys& k, ModelConfig& c) {
  c.q_lora_rank = k.u32_or("attention.q_lora_rank", 0);
  c.kv_lora_rank = k.positive("attention.kv_lora_rank");
  // Newer converters store the absorbed (latent) sizes in key_length/value_length and the
  // per-head sizes in *_mla; older ones only the per-head sizes.
  c.head_dim_k = k.u32_or("attention.key_length_mla", c.head_dim_k);
  c.head_dim_v = k.u32_or("attention.value_length_mla", c.head_dim_v);
  c.qk_rope_head_dim = c.rope.n_rot;
  if (c.qk_rope_head_dim >= c.head_dim_k) k.fail("rope.dimension_count is not smaller than the MLA key length");
  c.qk_nope_head_dim = c.head_dim_k - c.qk_rope_head_dim;
  // The file describes the latent cache as one shared kv head; every query head still has
  // its own decompressed key and value, as Hugging Face configs count them.
  c.n_head_kv = c.n_head;
}

}  // namespace

ModelConfig gguf_model_config(const GgufFile& file) {
  const GgufMetadata& m = file.metadata();
  const std::string& path = file.path();
  std::string arch_name(m.get_string("general.architecture"));
  const ArchInfo& arch = find_architecture(arch_name, path);
  ArchKeys k(m, arch_name, path);

  ModelConfig c;
  c.arch = arch.arch;
  c.arch_name = arch_name;
  c.name = std::string(m.find_string("general.name").value_or(""));
  c.rope.style = arch.rope;
  c.n_embd = k.positive("embedding_length");
  c.n_layer = k.positive("block_count");
  c.n_ctx_train = k.u32_or("context_length", 0);
  c.n_ff = k.u32_or("feed_forward_length", 0);

  read_attention(k, file, c);
  read_experts(k, file, c);
  read_rope(k, c, path);
  if (c.arch == Architecture::kDeepseek2) read_mla(k, c);
  // gpt-oss was trained with YaRN's correction range unrounded (truncate: false in its
  // config.json); GGUF has no key for it, so the architecture decides.
  if (c.arch == Architecture::kGptOss) c.rope.yarn_truncate = false;

  const GgufTensorInfo* embd = file.find_tensor("token_embd.weight");
  if (embd == nullptr) throw Error(ErrorCode::kNotFound, path + ": tensor 'token_embd.weight' is missing");
  if (embd->n_dims != 2 || embd->ne[0] != c.n_embd) {
    k.fail("tensor 'token_embd.weight' has ne[0] = " + std::to_string(embd->ne[0]) + ", expected embedding_length " +
           std::to_string(c.n_embd));
  }
  if (embd->ne[1] > UINT32_MAX) k.fail("tensor 'token_embd.weight' has more than 2^32 rows");
  c.n_vocab = static_cast<uint32_t>(embd->ne[1]);
  if (auto n = k.opt_u32("vocab_size"); n && *n != c.n_vocab) {
    k.fail(k.key("vocab_size") + " = " + std::to_string(*n) + " but token_embd.weight has " + std::to_string(c.n_vocab) +
           " rows");
  }
  c.tie_embeddings = file.find_tensor("output.weight") == nullptr;
  return c;
}

}  // namespace vkmoe
