#include "loader/hf/expected_tensors.h"

namespace vkmoe {
namespace {

using Table = std::map<std::string, ExpectedTensor>;

void add_attention(Table& t, const std::string& blk, const ModelConfig& c) {
  const uint64_t e = c.n_embd, q = uint64_t{c.n_head} * c.head_dim_k, kv = uint64_t{c.n_head_kv} * c.head_dim_k,
                 v = uint64_t{c.n_head_kv} * c.head_dim_v, o = uint64_t{c.n_head} * c.head_dim_v;
  t[blk + "attn_q.weight"] = {{e, q}};
  t[blk + "attn_k.weight"] = {{e, kv}};
  t[blk + "attn_v.weight"] = {{e, v}};
  t[blk + "attn_output.weight"] = {{o, e}};
  if (c.has_qkv_bias) {
    t[blk + "attn_q.bias"] = {{q}};
    t[blk + "attn_k.bias"] = {{kv}};
    t[blk + "attn_v.bias"] = {{v}};
  }
  t[blk + "attn_output.bias"] = {{e}, c.arch == Architecture::kGptOss};
  if (c.qk_norm_per_head) {
    t[blk + "attn_q_norm.weight"] = {{c.head_dim_k}};
    t[blk + "attn_k_norm.weight"] = {{c.head_dim_k}};
  }
  if (c.qk_norm_full) {
    t[blk + "attn_q_norm.weight"] = {{q}};
    t[blk + "attn_k_norm.weight"] = {{kv}};
  }
  if (c.has_attention_sinks) t[blk + "attn_sinks.weight"] = {{c.n_head}};
}

// Multi-head latent attention, in GGUF's deepseek2 layout.
void add_mla(Table& t, const std::string& blk, const ModelConfig& c) {
  const uint64_t e = c.n_embd, h = c.n_head, q = h * c.head_dim_k;
  if (c.q_lora_rank > 0) {
    t[blk + "attn_q_a.weight"] = {{e, c.q_lora_rank}};
    t[blk + "attn_q_a_norm.weight"] = {{c.q_lora_rank}};
    t[blk + "attn_q_b.weight"] = {{c.q_lora_rank, q}};
  } else {
    t[blk + "attn_q.weight"] = {{e, q}};
  }
  t[blk + "attn_kv_a_mqa.weight"] = {{e, uint64_t{c.kv_lora_rank} + c.qk_rope_head_dim}};
  t[blk + "attn_kv_a_norm.weight"] = {{c.kv_lora_rank}};
  t[blk + "attn_k_b.weight"] = {{c.qk_nope_head_dim, c.kv_lora_rank, h}};
  t[blk + "attn_v_b.weight"] = {{c.kv_lora_rank, c.head_dim_v, h}};
  t[blk + "attn_output.weight"] = {{h * c.head_dim_v, e}};
}

void add_ffn(Table& t, const std::string& blk, uint32_t layer, const ModelConfig& c) {
  const uint64_t e = c.n_embd;
  if (c.n_expert == 0 || layer < c.n_layer_dense_lead) {
    t[blk + "ffn_gate.weight"] = {{e, c.n_ff}};
    t[blk + "ffn_up.weight"] = {{e, c.n_ff}};
    t[blk + "ffn_down.weight"] = {{c.n_ff, e}};
    return;
  }
  const uint64_t n = c.n_expert, ff = c.n_ff_expert;
  t[blk + "ffn_gate_inp.weight"] = {{e, n}};
  t[blk + "ffn_gate_exps.weight"] = {{e, ff, n}};
  t[blk + "ffn_up_exps.weight"] = {{e, ff, n}};
  t[blk + "ffn_down_exps.weight"] = {{ff, e, n}};
  if (c.arch == Architecture::kGptOss) {
    t[blk + "ffn_gate_inp.bias"] = {{n}};
    t[blk + "ffn_gate_exps.bias"] = {{ff, n}};
    t[blk + "ffn_up_exps.bias"] = {{ff, n}};
    t[blk + "ffn_down_exps.bias"] = {{e, n}};
  }
  // DeepSeek-V3's score-correction bias; V2 has none.
  if (c.arch == Architecture::kDeepseek2) t[blk + "exp_probs_b.bias"] = {{n}, false};
  if (c.n_ff_shared > 0) {
    t[blk + "ffn_gate_shexp.weight"] = {{e, c.n_ff_shared}};
    t[blk + "ffn_up_shexp.weight"] = {{e, c.n_ff_shared}};
    t[blk + "ffn_down_shexp.weight"] = {{c.n_ff_shared, e}};
    if (c.arch == Architecture::kQwen2Moe) t[blk + "ffn_gate_inp_shexp.weight"] = {{e, 1}};
  }
}

}  // namespace

Table expected_tensors(const ModelConfig& c) {
  Table t;
  t["token_embd.weight"] = {{c.n_embd, c.n_vocab}};
  t["output_norm.weight"] = {{c.n_embd}};
  if (!c.tie_embeddings) t["output.weight"] = {{c.n_embd, c.n_vocab}};
  for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    t[blk + "attn_norm.weight"] = {{c.n_embd}};
    t[blk + (c.arch == Architecture::kGptOss ? "post_attention_norm.weight" : "ffn_norm.weight")] = {{c.n_embd}};
    if (c.kv_lora_rank > 0) {
      add_mla(t, blk, c);
    } else {
      add_attention(t, blk, c);
    }
    add_ffn(t, blk, layer, c);
  }
  return t;
}

}  // namespace vkmoe
