#include "loader/hf/hf_config.h"

#include <cmath>
#include <filesystem>
#include <map>

#include "loader/base/error.h"
#include "loader/base/json_file.h"
#include "loader/hf/hf_json_fields.h"
#include "loader/hf/hf_rope_config.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;

struct ArchEntry {
  Architecture arch;
  const char* gguf_name;
};

const std::map<std::string, ArchEntry>& known_model_types() {
  static const std::map<std::string, ArchEntry> types = {
      {"llama", {Architecture::kLlama, "llama"}},         {"mixtral", {Architecture::kLlama, "llama"}},
      {"qwen2", {Architecture::kQwen2, "qwen2"}},         {"qwen2_moe", {Architecture::kQwen2Moe, "qwen2moe"}},
      {"qwen3", {Architecture::kQwen3, "qwen3"}},         {"qwen3_moe", {Architecture::kQwen3Moe, "qwen3moe"}},
      {"olmoe", {Architecture::kOlmoe, "olmoe"}},         {"deepseek_v2", {Architecture::kDeepseek2, "deepseek2"}},
      {"deepseek_v3", {Architecture::kDeepseek2, "deepseek2"}}, {"gpt_oss", {Architecture::kGptOss, "gpt-oss"}},
  };
  return types;
}

[[noreturn]] void unsupported(const HfJsonFields& f, const std::string& what) {
  throw Error(ErrorCode::kUnsupported, f.file() + ": " + what);
}

void read_attention(const HfJsonFields& f, ModelConfig& c) {
  c.n_head = f.u32("num_attention_heads");
  c.n_head_kv = f.u32_or("num_key_value_heads", c.n_head);
  if (c.n_head == 0 || c.n_head_kv == 0 || c.n_head % c.n_head_kv != 0) {
    f.fail("num_key_value_heads", std::to_string(c.n_head_kv) + " does not divide num_attention_heads " + std::to_string(c.n_head));
  }
  c.head_dim_k = f.u32_or("head_dim", c.n_embd / c.n_head);
  c.head_dim_v = c.head_dim_k;
  float rotary_fraction = f.f32_or("partial_rotary_factor", 1.0f);
  c.rope.n_rot = static_cast<uint32_t>(std::lround(rotary_fraction * static_cast<float>(c.head_dim_k)));
}

// The experts' width, the number of experts and the router, for the families that keep
// their experts in one list (all but DeepSeek, which read_deepseek handles).
void read_experts(const HfJsonFields& f, ModelConfig& c, const char* width_key) {
  c.n_expert = f.has("num_local_experts") ? f.u32("num_local_experts") : f.u32("num_experts");
  c.n_expert_used = f.u32("num_experts_per_tok");
  c.n_ff_expert = f.u32(width_key);
  if (f.u32_or("decoder_sparse_step", 1) != 1 || !f.u32_list("mlp_only_layers").empty()) {
    unsupported(f, "models that mix dense and MoE layers through decoder_sparse_step / mlp_only_layers are not supported");
  }
}

void read_deepseek(const HfJsonFields& f, const std::string& model_type, ModelConfig& c) {
  c.n_expert = f.u32("n_routed_experts");
  c.n_expert_used = f.u32("num_experts_per_tok");
  c.n_ff_expert = f.u32("moe_intermediate_size");
  c.n_expert_shared = f.u32_or("n_shared_experts", 0);
  c.n_ff_shared = c.n_expert_shared * c.n_ff_expert;
  c.n_layer_dense_lead = f.u32_or("first_k_dense_replace", 0);
  if (f.u32_or("moe_layer_freq", 1) != 1) unsupported(f, "moe_layer_freq other than 1 is not supported");

  // transformers' DeepseekV3 always scores with a sigmoid; V2 used a softmax.
  std::string scoring = f.string_or("scoring_func", model_type == "deepseek_v3" ? "sigmoid" : "softmax");
  if (scoring == "sigmoid") {
    c.router.gating = GatingFunction::kSigmoid;
  } else if (scoring != "softmax") {
    unsupported(f, "scoring_func '" + scoring + "' is not supported");
  }
  c.router.normalize_topk = f.bool_or("norm_topk_prob", model_type == "deepseek_v3");
  c.router.routed_scaling = f.f32_or("routed_scaling_factor", 1.0f);
  if (f.string_or("topk_method", "noaux_tc") != "greedy") {
    c.router.n_group = f.u32_or("n_group", 0);
    c.router.topk_group = f.u32_or("topk_group", 0);
  }

  c.q_lora_rank = f.u32_or("q_lora_rank", 0);
  c.kv_lora_rank = f.u32("kv_lora_rank");
  c.qk_nope_head_dim = f.u32("qk_nope_head_dim");
  c.qk_rope_head_dim = f.u32("qk_rope_head_dim");
  c.head_dim_k = c.qk_nope_head_dim + c.qk_rope_head_dim;
  c.head_dim_v = f.u32("v_head_dim");
  c.rope.n_rot = c.qk_rope_head_dim;
  // Every query head gets its own key and value, decompressed from the shared latent by
  // attn_k_b / attn_v_b; the KV cache holds the latent, whatever num_key_value_heads says.
  c.n_head_kv = c.n_head;
  // Interleaved rope: transformers de-interleaves q/k then rotates halves, the same as
  // rotating adjacent pairs of the stored layout. V2 always did so.
  bool interleave = model_type == "deepseek_v2" || f.bool_or("rope_interleave", true);
  c.rope.style = interleave ? RopeStyle::kNormal : RopeStyle::kNeox;
}

void read_gpt_oss(const HfJsonFields& f, ModelConfig& c) {
  read_experts(f, c, "intermediate_size");
  c.router.softmax_after_topk = true;
  c.has_attention_sinks = true;
  c.swiglu_limit = f.f32_or("swiglu_limit", 7.0f);
  c.sliding_window = f.u32("sliding_window");
  std::vector<std::string> layer_types = f.string_list("layer_types");
  if (layer_types.size() != c.n_layer) {
    f.fail("layer_types", "has " + std::to_string(layer_types.size()) + " entries for " + std::to_string(c.n_layer) + " layers");
  }
  for (const std::string& type : layer_types) {
    if (type != "sliding_attention" && type != "full_attention") f.fail("layer_types", "unknown layer type '" + type + "'");
    c.layer_uses_sliding_window.push_back(type == "sliding_attention");
  }
}

// Mistral-style windows apply to every layer; Qwen's use_sliding_window is not supported.
void read_plain_sliding_window(const HfJsonFields& f, ModelConfig& c) {
  if (f.bool_or("use_sliding_window", false)) unsupported(f, "use_sliding_window is not supported");
  if (c.arch == Architecture::kLlama && f.u32_or("sliding_window", 0) > 0) {
    c.sliding_window = f.u32("sliding_window");
    c.layer_uses_sliding_window.assign(c.n_layer, true);
  }
}

void read_special_tokens(const std::string& dir, const HfJsonFields& config, ModelConfig& c) {
  std::vector<uint32_t> bos = config.u32_list("bos_token_id");
  c.eos_tokens = config.u32_list("eos_token_id");
  // generation_config.json is what transformers' generate() stops on; it wins where it speaks.
  const std::string generation_path = (fs::path(dir) / "generation_config.json").string();
  std::error_code ec;
  if (fs::exists(generation_path, ec)) {
    nlohmann::json root = read_json_file(generation_path);
    HfJsonFields generation("generation_config.json", root);
    if (generation.has("bos_token_id")) bos = generation.u32_list("bos_token_id");
    if (generation.has("eos_token_id")) c.eos_tokens = generation.u32_list("eos_token_id");
  }
  if (bos.size() > 1) config.fail("bos_token_id", "more than one id");
  if (!bos.empty()) c.bos_token = bos[0];
}

void check(const HfJsonFields& f, const ModelConfig& c) {
  auto require = [&](bool ok, const char* key, const std::string& what) {
    if (!ok) f.fail(key, what);
  };
  require(c.n_vocab > 0, "vocab_size", "must be positive");
  require(c.n_embd > 0, "hidden_size", "must be positive");
  require(c.n_layer > 0, "num_hidden_layers", "must be positive");
  require(c.head_dim_k > 0 && c.head_dim_v > 0, "head_dim", "must be positive");
  require(c.rope.n_rot % 2 == 0 && c.rope.n_rot <= c.head_dim_k, "partial_rotary_factor",
          "rotated dimensions " + std::to_string(c.rope.n_rot) + " must be even and at most the head size");
  require(c.n_expert_used <= c.n_expert, "num_experts_per_tok", "exceeds the number of experts");
  require(c.n_expert == 0 || c.n_expert_used > 0, "num_experts_per_tok", "must be positive");
  require(c.n_layer_dense_lead <= c.n_layer, "first_k_dense_replace", "exceeds the number of layers");
  require(c.router.n_group == 0 || (c.n_expert % c.router.n_group == 0 && c.router.topk_group <= c.router.n_group &&
                                     c.router.topk_group > 0),
          "n_group", "must divide the experts, with 0 < topk_group <= n_group");
  require(c.rms_norm_eps > 0.0f, "rms_norm_eps", "must be positive");
  for (uint32_t id : c.eos_tokens) require(id < c.n_vocab, "eos_token_id", std::to_string(id) + " is outside the vocabulary");
  require(c.bos_token == UINT32_MAX || c.bos_token < c.n_vocab, "bos_token_id", "outside the vocabulary");
}

}  // namespace

ModelConfig read_hf_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "config.json").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::kNotFound, dir + ": no config.json");
  nlohmann::json root = read_json_file(path);
  HfJsonFields f(path, root);

  ModelConfig c;
  const std::string model_type = f.string("model_type");
  auto known = known_model_types().find(model_type);
  if (known == known_model_types().end()) unsupported(f, "model_type '" + model_type + "' is not supported");
  c.arch = known->second.arch;
  c.arch_name = known->second.gguf_name;
  c.name = fs::path(dir).lexically_normal().filename().string();
  if (c.name.empty()) c.name = fs::path(dir).lexically_normal().parent_path().filename().string();

  c.n_vocab = f.u32("vocab_size");
  c.n_embd = f.u32("hidden_size");
  c.n_layer = f.u32("num_hidden_layers");
  c.n_ctx_train = f.u32_or("max_position_embeddings", 0);
  c.n_ff = f.u32_or("intermediate_size", 0);
  c.rms_norm_eps = f.f32_or("rms_norm_eps", 1e-6f);
  c.tie_embeddings = f.bool_or("tie_word_embeddings", false);
  read_attention(f, c);

  HfRope rope = read_hf_rope(f);
  uint32_t n_rot = c.rope.n_rot;
  c.rope = rope.rope;
  c.rope.n_rot = n_rot;
  c.rope.style = RopeStyle::kNeox;

  switch (c.arch) {
    case Architecture::kLlama:
      if (model_type == "mixtral") {
        read_experts(f, c, "intermediate_size");
        c.router.normalize_topk = true;  // softmax over all experts, then the top k renormalized
      }
      break;
    case Architecture::kQwen2Moe:
      read_experts(f, c, "moe_intermediate_size");
      c.router.normalize_topk = f.bool_or("norm_topk_prob", false);
      c.n_ff_shared = f.u32_or("shared_expert_intermediate_size", 0);
      c.n_expert_shared = c.n_ff_shared > 0 ? 1 : 0;
      break;
    case Architecture::kQwen3Moe:
      read_experts(f, c, "moe_intermediate_size");
      c.router.normalize_topk = f.bool_or("norm_topk_prob", false);
      c.qk_norm_per_head = true;
      break;
    case Architecture::kQwen3: c.qk_norm_per_head = true; break;
    case Architecture::kQwen2: break;
    case Architecture::kOlmoe:
      read_experts(f, c, "intermediate_size");
      c.router.normalize_topk = f.bool_or("norm_topk_prob", false);
      c.qk_norm_full = true;
      if (f.has("clip_qkv")) unsupported(f, "clip_qkv is not supported");
      break;
    case Architecture::kDeepseek2:
      read_deepseek(f, model_type, c);
      // Under YaRN DeepSeek sharpens the softmax by mscale(factor, mscale_all_dim)^2.
      if (c.rope.scaling == RopeScalingType::kYarn && rope.mscale_all_dim != 0.0f) {
        float m = yarn_mscale(c.rope.factor, rope.mscale_all_dim);
        c.attention_scale = m * m / std::sqrt(static_cast<float>(c.head_dim_k));
      }
      break;
    case Architecture::kGptOss: read_gpt_oss(f, c); break;
  }
  if (c.arch != Architecture::kGptOss) read_plain_sliding_window(f, c);
  read_special_tokens(dir, f, c);
  check(f, c);
  return c;
}

}  // namespace vkmoe
