// Feed-forward blocks of the forward pass: the dense SwiGLU FFN (DeepSeek's leading layers,
// dense models) and the mixture of experts with its shared expert.
#include "engine/kernels/activation.h"
#include "engine/kernels/elementwise.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "engine/kernels/moe_scatter.h"
#include "engine/kernels/router_topk.h"
#include "engine/model/forward_buffers.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

kernels::RouterParams router_params(const ModelConfig& c) {
  const auto& r = c.router;
  if (r.softmax_after_topk) return kernels::RouterParams::topk_softmax(c.n_expert_used, true);
  if (r.gating == GatingFunction::kSigmoid) {
    return kernels::RouterParams::deepseek_v3(c.n_expert_used, std::max(r.n_group, 1u), std::max(r.topk_group, 1u),
                                              r.normalize_topk, r.routed_scaling);
  }
  kernels::RouterParams p = kernels::RouterParams::softmax_topk(c.n_expert_used, r.normalize_topk);
  p.scale = r.routed_scaling;
  if (r.n_group > 1) {
    // DeepSeek-V2's group-limited greedy routing ranks groups by their best expert.
    p.n_group = r.n_group;
    p.topk_group = r.topk_group;
    p.group_top_n = 1;
  }
  return p;
}

}  // namespace

// out = down(silu(gate(xn)) * up(xn)) → buffers_->tmp
void ForwardPass::record_dense_ffn(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const auto& gate_w = w(layer, "ffn_gate.weight");
  const uint64_t ff = gate_w.ne[1];
  const auto xn = floats(b.xn, 0, uint64_t(n_tokens) * c.n_embd);
  const auto gate = floats(b.gate, 0, n_tokens * ff), up = floats(b.up, 0, n_tokens * ff);
  kernels::record_matmul(ctx_, cmd, matmul_weight(gate_w), xn, gate, n_tokens);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_up.weight")), xn, up, n_tokens);
  cmd.barrier();
  kernels::record_swiglu(ctx_, cmd, gate, up, gate, n_tokens * ff);
  cmd.barrier();
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_down.weight")), gate,
                         floats(b.tmp, 0, uint64_t(n_tokens) * c.n_embd), n_tokens);
  cmd.barrier();
}

// x += sum_j weight[t, j] * expert_{id[t, j]}(xn[t]) (+ shared expert)
void ForwardPass::record_moe_ffn(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens, k = c.n_expert_used, E = c.n_expert, H = c.n_embd, ff = c.n_ff_expert;
  const uint32_t rows = T * k;
  const auto xn = floats(b.xn, 0, uint64_t(T) * H);

  const auto logits = floats(b.router_logits, 0, uint64_t(T) * E);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_gate_inp.weight")), xn, logits, T);
  cmd.barrier();
  const auto params = router_params(c);
  std::optional<vk::BufferRange> router_bias;
  if (params.bias_use == kernels::RouterBiasUse::kAddToLogits) router_bias = w(layer, "ffn_gate_inp.bias").range();
  if (params.bias_use == kernels::RouterBiasUse::kAddForSelection) router_bias = w(layer, "exp_probs_b.bias").range();
  const auto ids = b.expert_ids.range(0, uint64_t(rows) * 4);
  const auto weights = floats(b.expert_weights, 0, rows);
  kernels::record_router_topk(ctx_, cmd, logits, router_bias, ids, weights, T, E, params);
  cmd.barrier();

  const auto offsets = b.expert_offsets.range();
  const auto row_of = b.expert_rows.range(0, uint64_t(rows) * 4);
  const auto sources = b.expert_sources.range(0, uint64_t(rows) * 4);
  kernels::record_moe_dispatch(ctx_, cmd, ids, offsets, row_of, sources, T, k, E);
  cmd.barrier();
  const auto x_grouped = floats(b.x_grouped, 0, uint64_t(rows) * H);
  kernels::record_moe_gather(ctx_, cmd, xn, sources, x_grouped, T, k, H);
  cmd.barrier();

  auto expert_matmul = [&](const char* name, const vk::BufferRange& x, const vk::BufferRange& y) {
    kernels::ExpertRows r{x, offsets, b.expert_slots.range(), y, rows};
    std::string bias_name = std::string(name);
    bias_name.replace(bias_name.size() - 6, 6, "bias");  // "...weight" → "...bias"
    const DeviceTensor* bias = find(layer, bias_name.c_str());
    kernels::record_expert_matmul(ctx_, cmd, expert_weights(w(layer, name)), r,
                                  bias != nullptr ? std::optional(bias->range()) : std::nullopt);
  };
  const auto gate = floats(b.gate, 0, uint64_t(rows) * ff), up = floats(b.up, 0, uint64_t(rows) * ff);
  expert_matmul("ffn_gate_exps.weight", x_grouped, gate);
  expert_matmul("ffn_up_exps.weight", x_grouped, up);
  cmd.barrier();
  if (c.swiglu_limit > 0.0f) {
    kernels::record_clamped_swiglu(ctx_, cmd, gate, up, gate, uint64_t(rows) * ff, {c.swiglu_alpha, c.swiglu_limit});
  } else {
    kernels::record_swiglu(ctx_, cmd, gate, up, gate, uint64_t(rows) * ff);
  }
  cmd.barrier();
  const auto y_grouped = floats(b.y_grouped, 0, uint64_t(rows) * H);
  expert_matmul("ffn_down_exps.weight", gate, y_grouped);
  cmd.barrier();
  if (c.n_ff_shared > 0) record_shared_expert(cmd, layer, n_tokens);
  kernels::record_moe_scatter(ctx_, cmd, y_grouped, row_of, weights, floats(b.x, 0, uint64_t(T) * H), T, k, H, true);
  cmd.barrier();
}

// Shared expert(s), added to the residual stream: Qwen2-MoE scales them by a sigmoid gate
// per token, DeepSeek adds them as they are.
void ForwardPass::record_shared_expert(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens, H = c.n_embd;
  const auto& gate_w = w(layer, "ffn_gate_shexp.weight");
  const uint64_t ff = gate_w.ne[1];
  const auto xn = floats(b.xn, 0, uint64_t(T) * H);
  const auto gate = floats(b.gate, 0, T * ff), up = floats(b.up, 0, T * ff);
  const auto out = floats(b.shared_out, 0, uint64_t(T) * H);
  const auto x = floats(b.x, 0, uint64_t(T) * H);
  kernels::record_matmul(ctx_, cmd, matmul_weight(gate_w), xn, gate, T);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_up_shexp.weight")), xn, up, T);
  const DeviceTensor* shared_gate = find(layer, "ffn_gate_inp_shexp.weight");
  if (shared_gate != nullptr) kernels::record_matmul(ctx_, cmd, matmul_weight(*shared_gate), xn, floats(b.shared_scale, 0, T), T);
  cmd.barrier();
  kernels::record_swiglu(ctx_, cmd, gate, up, gate, T * ff);
  cmd.barrier();
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_down_shexp.weight")), gate, out, T);
  cmd.barrier();
  if (shared_gate != nullptr) {
    kernels::record_sigmoid_gated_add(ctx_, cmd, floats(b.shared_scale, 0, T), out, x, T, H);
  } else {
    kernels::record_binary_op(ctx_, cmd, kernels::BinaryOp::kAdd, x, out, x, uint64_t(T) * H, uint64_t(T) * H);
  }
  cmd.barrier();
}

}  // namespace vkmoe
