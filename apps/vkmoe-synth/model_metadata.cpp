#include "apps/vkmoe-synth/model_metadata.h"

#include <algorithm>
#include <string>

namespace vkmoe::synth {
namespace {

void write_architecture(GgufWriter& w, const ShapeConfig& s, uint32_t n_layer) {
  const std::string a = std::string(s.gguf_arch) + ".";
  w.add_u32(a + "block_count", n_layer);
  w.add_u32(a + "context_length", s.n_ctx_train);
  w.add_u32(a + "embedding_length", s.n_embd);
  w.add_u32(a + "feed_forward_length", s.n_ff);
  w.add_u32(a + "attention.head_count", s.n_head);
  w.add_u32(a + "attention.head_count_kv", s.n_head_kv);
  w.add_f32(a + "rope.freq_base", s.rope_theta);
  w.add_f32(a + "attention.layer_norm_rms_epsilon", s.rms_norm_eps);
  w.add_u32(a + "expert_count", s.n_expert);
  w.add_u32(a + "expert_used_count", s.n_expert_used);
  if (s.gguf_arch == "llama" || s.gguf_arch == "deepseek2") w.add_u32(a + "vocab_size", s.n_vocab);
  if (s.gguf_arch == "llama" || s.gguf_arch == "deepseek2") w.add_u32(a + "rope.dimension_count", s.n_rot);
  if (s.gguf_arch == "qwen3moe" || s.gguf_arch == "gpt-oss" || s.gguf_arch == "deepseek2") {
    w.add_u32(a + "expert_feed_forward_length", s.n_ff_expert);
  }
  if (s.gguf_arch == "qwen3moe" || s.gguf_arch == "gpt-oss") {
    w.add_u32(a + "attention.key_length", s.head_dim);
    w.add_u32(a + "attention.value_length", s.head_dim_v);
  }
  if (s.sliding_window > 0) w.add_u32(a + "attention.sliding_window", s.sliding_window);
  if (s.yarn.factor > 0.0f) {
    w.add_string(a + "rope.scaling.type", "yarn");
    w.add_f32(a + "rope.scaling.factor", s.yarn.factor);
    w.add_u32(a + "rope.scaling.original_context_length", s.yarn.original_context);
    w.add_f32(a + "rope.scaling.yarn_beta_fast", s.yarn.beta_fast);
    w.add_f32(a + "rope.scaling.yarn_beta_slow", s.yarn.beta_slow);
    if (s.yarn.log_multiplier > 0.0f) w.add_f32(a + "rope.scaling.yarn_log_multiplier", s.yarn.log_multiplier);
  }
  if (s.kv_lora_rank > 0) {
    // Newer converters: key/value_length describe the absorbed latent head, *_mla the
    // per-head sizes.
    w.add_u32(a + "attention.kv_lora_rank", s.kv_lora_rank);
    if (s.q_lora_rank > 0) w.add_u32(a + "attention.q_lora_rank", s.q_lora_rank);
    w.add_u32(a + "attention.key_length", s.kv_lora_rank + s.n_rot);
    w.add_u32(a + "attention.value_length", s.kv_lora_rank);
    w.add_u32(a + "attention.key_length_mla", s.head_dim);
    w.add_u32(a + "attention.value_length_mla", s.head_dim_v);
    w.add_u32(a + "leading_dense_block_count", std::min(s.n_layer_dense_lead, n_layer));
    w.add_u32(a + "expert_shared_count", s.n_expert_shared);
    w.add_f32(a + "expert_weights_scale", s.expert_weights_scale);
    w.add_bool(a + "expert_weights_norm", s.expert_weights_norm);
    w.add_u32(a + "expert_gating_func", 1);  // softmax, as DeepSeek-V2 routes
  }
}

void write_tokenizer(GgufWriter& w, const SyntheticVocab& v) {
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", "qwen2");
  w.add_array("tokenizer.ggml.tokens", GgufArrayValue::of_strings(v.tokens));
  w.add_array("tokenizer.ggml.token_type", GgufArrayValue::of<int32_t>(GgufType::kI32, v.token_types));
  w.add_array("tokenizer.ggml.merges", GgufArrayValue::of_strings(v.merges));
  w.add_u32("tokenizer.ggml.bos_token_id", v.bos);
  w.add_u32("tokenizer.ggml.eos_token_id", v.eos);
  w.add_u32("tokenizer.ggml.padding_token_id", v.eos);
  w.add_bool("tokenizer.ggml.add_bos_token", false);
  w.add_string("tokenizer.chat_template", synthetic_chat_template());
}

}  // namespace

void write_model_metadata(GgufWriter& w, const ShapeConfig& s, uint32_t n_layer, FileType file_type,
                          const SyntheticVocab& vocab) {
  w.add_string("general.architecture", s.gguf_arch);
  w.add_string("general.type", "model");
  w.add_string("general.name", std::string(s.display_name) + " (synthetic)");
  w.add_string("general.description",
               "vkmoe-synth: random weights and a random vocabulary in the shape of " + std::string(s.display_name) +
                   "; for benchmarks and tests, not a trained model");
  w.add_bool("vkmoe.synthetic", true);
  write_architecture(w, s, n_layer);
  w.add_u32("general.quantization_version", 2);
  w.add_u32("general.file_type", llama_ftype(file_type));
  write_tokenizer(w, vocab);
}

}  // namespace vkmoe::synth
