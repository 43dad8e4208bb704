#include "loader/hf/hf_tensor_names.h"

#include <map>
#include <optional>
#include <string_view>

namespace vkmoe {
namespace {

using Kind = HfTensorTarget::Kind;

const std::map<std::string_view, std::string_view>& global_names() {
  static const std::map<std::string_view, std::string_view> names = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  return names;
}

// Within "model.layers.N.": HF suffix → GGUF suffix after "blk.N.".
const std::map<std::string_view, std::string_view>& layer_names() {
  static const std::map<std::string_view, std::string_view> names = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.bias", "attn_output.bias"},
      {"self_attn.q_norm.weight", "attn_q_norm.weight"},
      {"self_attn.k_norm.weight", "attn_k_norm.weight"},
      {"self_attn.sinks", "attn_sinks.weight"},
      {"self_attn.q_a_proj.weight", "attn_q_a.weight"},
      {"self_attn.q_a_layernorm.weight", "attn_q_a_norm.weight"},
      {"self_attn.q_b_proj.weight", "attn_q_b.weight"},
      {"self_attn.kv_a_proj_with_mqa.weight", "attn_kv_a_mqa.weight"},
      {"self_attn.kv_a_layernorm.weight", "attn_kv_a_norm.weight"},
      {"mlp.gate.weight", "ffn_gate_inp.weight"},
      {"block_sparse_moe.gate.weight", "ffn_gate_inp.weight"},
      {"mlp.router.weight", "ffn_gate_inp.weight"},
      {"mlp.router.bias", "ffn_gate_inp.bias"},
      {"mlp.gate.e_score_correction_bias", "exp_probs_b.bias"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
      {"mlp.shared_expert.gate_proj.weight", "ffn_gate_shexp.weight"},
      {"mlp.shared_expert.up_proj.weight", "ffn_up_shexp.weight"},
      {"mlp.shared_expert.down_proj.weight", "ffn_down_shexp.weight"},
      {"mlp.shared_experts.gate_proj.weight", "ffn_gate_shexp.weight"},
      {"mlp.shared_experts.up_proj.weight", "ffn_up_shexp.weight"},
      {"mlp.shared_experts.down_proj.weight", "ffn_down_shexp.weight"},
      {"mlp.shared_expert_gate.weight", "ffn_gate_inp_shexp.weight"},
      {"mlp.experts.down_proj_bias", "ffn_down_exps.bias"},
  };
  return names;
}

// Per-expert projections: HF suffix after "experts.E." → stacked GGUF suffix.
const std::map<std::string_view, std::string_view>& expert_names() {
  static const std::map<std::string_view, std::string_view> names = {
      {"gate_proj.weight", "ffn_gate_exps.weight"}, {"up_proj.weight", "ffn_up_exps.weight"},
      {"down_proj.weight", "ffn_down_exps.weight"}, {"w1.weight", "ffn_gate_exps.weight"},
      {"w3.weight", "ffn_up_exps.weight"},          {"w2.weight", "ffn_down_exps.weight"},
  };
  return names;
}

// Reads a decimal index at the front of `text` and the '.' after it; nullopt unless well formed.
std::optional<uint32_t> take_index(std::string_view& text) {
  size_t n = 0;
  uint64_t value = 0;
  while (n < text.size() && n < 9 && text[n] >= '0' && text[n] <= '9') value = value * 10 + static_cast<uint64_t>(text[n++] - '0');
  if (n == 0 || n >= text.size() || text[n] != '.' || (n > 1 && text[0] == '0')) return std::nullopt;
  text.remove_prefix(n + 1);
  return static_cast<uint32_t>(value);
}

bool take_prefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

HfTensorTarget layer_target(std::string_view rest, uint32_t layer, const ModelConfig& c) {
  HfTensorTarget t;
  t.layer = layer;
  const std::string blk = "blk." + std::to_string(layer) + ".";
  if (auto it = layer_names().find(rest); it != layer_names().end()) {
    t.kind = Kind::kDirect;
    std::string_view suffix = it->second;
    // gpt-oss normalizes after attention, not before the FFN: GGUF names it so.
    if (c.arch == Architecture::kGptOss && suffix == "ffn_norm.weight") suffix = "post_attention_norm.weight";
    t.gguf_name = blk + std::string(suffix);
    return t;
  }
  if (c.arch == Architecture::kDeepseek2 && rest == "self_attn.kv_b_proj.weight") t.kind = Kind::kMlaKvB;
  if (c.arch == Architecture::kGptOss) {
    if (rest == "mlp.experts.gate_up_proj") t.kind = Kind::kGptOssGateUp;
    if (rest == "mlp.experts.gate_up_proj_bias") t.kind = Kind::kGptOssGateUpBias;
    if (rest == "mlp.experts.down_proj") t.kind = Kind::kGptOssDown;
  }
  if (t.kind != Kind::kUnknown) return t;

  if (take_prefix(rest, "mlp.experts.") || take_prefix(rest, "block_sparse_moe.experts.")) {
    std::optional<uint32_t> expert = take_index(rest);
    auto it = expert_names().find(rest);
    if (expert && it != expert_names().end()) {
      t.kind = Kind::kExpert;
      t.expert = *expert;
      t.gguf_name = blk + std::string(it->second);
    }
  }
  return t;
}

}  // namespace

HfTensorTarget classify_hf_tensor(const std::string& hf_name, const ModelConfig& c) {
  HfTensorTarget t;
  std::string_view name = hf_name;
  if (name.ends_with("rotary_emb.inv_freq")) {
    t.kind = Kind::kIgnored;
    return t;
  }
  if (auto it = global_names().find(name); it != global_names().end()) {
    t.kind = Kind::kDirect;
    t.gguf_name = it->second;
    return t;
  }
  if (!take_prefix(name, "model.layers.")) return t;
  std::optional<uint32_t> layer = take_index(name);
  if (!layer) return t;
  if (*layer >= c.n_layer) {
    // DeepSeek checkpoints append their multi-token-prediction layers after the model's own.
    if (c.arch == Architecture::kDeepseek2) t.kind = Kind::kIgnored;
    return t;
  }
  return layer_target(name, *layer, c);
}

}  // namespace vkmoe
