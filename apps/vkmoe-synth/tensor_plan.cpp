#include "apps/vkmoe-synth/tensor_plan.h"

#include "apps/vkmoe-synth/quant_mix.h"

namespace vkmoe::synth {
namespace {

class Planner {
 public:
  Planner(const ShapeConfig& shape, uint32_t n_layer, FileType file_type)
      : s_(shape), n_layer_(n_layer), type_(file_type) {}

  void add(std::string name, std::vector<uint64_t> ne) {
    const Fill fill = name.ends_with("norm.weight") ? Fill::kOnes : Fill::kRandom;
    TensorType type = tensor_type_for(name, ne, s_, n_layer_, type_);
    out_.push_back({std::move(name), std::move(ne), type, fill});
  }

  std::vector<PlannedTensor> take() { return std::move(out_); }

 private:
  const ShapeConfig& s_;
  uint32_t n_layer_;
  FileType type_;
  std::vector<PlannedTensor> out_;
};

void add_attention(Planner& p, const std::string& blk, const ShapeConfig& s) {
  const uint64_t e = s.n_embd, q = uint64_t{s.n_head} * s.head_dim, kv = uint64_t{s.n_head_kv} * s.head_dim,
                 v = uint64_t{s.n_head_kv} * s.head_dim_v, o = uint64_t{s.n_head} * s.head_dim_v;
  p.add(blk + "attn_q.weight", {e, q});
  p.add(blk + "attn_k.weight", {e, kv});
  p.add(blk + "attn_v.weight", {e, v});
  p.add(blk + "attn_output.weight", {o, e});
  if (s.gguf_arch == "qwen3moe") {  // RMSNorm over each head
    p.add(blk + "attn_q_norm.weight", {s.head_dim});
    p.add(blk + "attn_k_norm.weight", {s.head_dim});
  }
  if (s.gguf_arch == "olmoe") {  // RMSNorm over the whole projection
    p.add(blk + "attn_q_norm.weight", {q});
    p.add(blk + "attn_k_norm.weight", {kv});
  }
  if (s.gguf_arch == "gpt-oss") {
    p.add(blk + "attn_q.bias", {q});
    p.add(blk + "attn_k.bias", {kv});
    p.add(blk + "attn_v.bias", {v});
    p.add(blk + "attn_output.bias", {e});
    p.add(blk + "attn_sinks.weight", {s.n_head});
  }
}

// DeepSeek's multi-head latent attention with kv_b split into k_b and v_b, as llama.cpp's
// converter writes it.
void add_mla(Planner& p, const std::string& blk, const ShapeConfig& s) {
  const uint64_t e = s.n_embd, h = s.n_head, rope = s.n_rot, nope = s.head_dim - s.n_rot;
  if (s.q_lora_rank > 0) {
    p.add(blk + "attn_q_a.weight", {e, s.q_lora_rank});
    p.add(blk + "attn_q_a_norm.weight", {s.q_lora_rank});
    p.add(blk + "attn_q_b.weight", {s.q_lora_rank, h * s.head_dim});
  } else {
    p.add(blk + "attn_q.weight", {e, h * s.head_dim});
  }
  p.add(blk + "attn_kv_a_mqa.weight", {e, s.kv_lora_rank + rope});
  p.add(blk + "attn_kv_a_norm.weight", {s.kv_lora_rank});
  p.add(blk + "attn_k_b.weight", {nope, s.kv_lora_rank, h});
  p.add(blk + "attn_v_b.weight", {s.kv_lora_rank, s.head_dim_v, h});
  p.add(blk + "attn_output.weight", {h * s.head_dim_v, e});
}

void add_ffn(Planner& p, const std::string& blk, uint32_t layer, const ShapeConfig& s) {
  const uint64_t e = s.n_embd;
  if (layer < s.n_layer_dense_lead) {
    p.add(blk + "ffn_gate.weight", {e, s.n_ff});
    p.add(blk + "ffn_up.weight", {e, s.n_ff});
    p.add(blk + "ffn_down.weight", {s.n_ff, e});
    return;
  }
  const uint64_t n = s.n_expert, ff = s.n_ff_expert;
  p.add(blk + "ffn_gate_inp.weight", {e, n});
  p.add(blk + "ffn_gate_exps.weight", {e, ff, n});
  p.add(blk + "ffn_up_exps.weight", {e, ff, n});
  p.add(blk + "ffn_down_exps.weight", {ff, e, n});
  if (s.gguf_arch == "gpt-oss") {
    p.add(blk + "ffn_gate_inp.bias", {n});
    p.add(blk + "ffn_gate_exps.bias", {ff, n});
    p.add(blk + "ffn_up_exps.bias", {ff, n});
    p.add(blk + "ffn_down_exps.bias", {e, n});
  }
  if (s.n_expert_shared > 0) {
    const uint64_t shared = uint64_t{s.n_expert_shared} * ff;
    p.add(blk + "ffn_gate_shexp.weight", {e, shared});
    p.add(blk + "ffn_up_shexp.weight", {e, shared});
    p.add(blk + "ffn_down_shexp.weight", {shared, e});
  }
}

}  // namespace

std::vector<PlannedTensor> plan_tensors(const ShapeConfig& s, uint32_t n_layer, FileType file_type) {
  Planner p(s, n_layer, file_type);
  p.add("token_embd.weight", {s.n_embd, s.n_vocab});
  for (uint32_t layer = 0; layer < n_layer; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    p.add(blk + "attn_norm.weight", {s.n_embd});
    if (s.kv_lora_rank > 0) {
      add_mla(p, blk, s);
    } else {
      add_attention(p, blk, s);
    }
    p.add(blk + (s.gguf_arch == "gpt-oss" ? "post_attention_norm.weight" : "ffn_norm.weight"), {s.n_embd});
    add_ffn(p, blk, layer, s);
  }
  p.add("output_norm.weight", {s.n_embd});
  p.add("output.weight", {s.n_embd, s.n_vocab});
  return p.take();
}

}  // namespace vkmoe::synth
