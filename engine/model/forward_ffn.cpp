// Feed-forward blocks of the forward pass: the dense SwiGLU FFN (DeepSeek's leading layers,
// dense models) and the mixture of experts with its shared expert.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "engine/kernels/activation.h"
#include "engine/kernels/elementwise.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "engine/kernels/moe_scatter.h"
#include "engine/kernels/rms_norm.h"
#include "engine/kernels/router_topk.h"
#include "engine/model/forward_buffers.h"
#include "engine/profile/kernel_family.h"
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

// Of an expert pool, a dispatch over `rows` routed rows reads at most min(rows, slots) experts
// (a decode step: exactly its top-k).
vk::PartialUse routed_experts(const kernels::ExpertWeights& w, uint32_t rows) {
  const uint64_t expert_bytes = uint64_t(w.n) * kernels::matmul_row_bytes(w.type, w.k);
  const uint64_t slots = w.pool.size <= expert_bytes || w.slot_stride == 0 ? 1 : (w.pool.size - expert_bytes) / w.slot_stride + 1;
  return {w.pool, std::min<uint64_t>(rows, slots) * expert_bytes};
}

// The expert GEMV's row tiles that moe_dispatch lists for `rows` routed rows.
vk::BufferRange gemv_tile_list(const ForwardPass::Buffers& b, uint32_t rows, uint32_t n_expert) {
  return b.expert_gemv_tiles.range(0, 8ull * kernels::expert_gemv_tiles(rows, n_expert));
}

}  // namespace

// out = down(silu(gate(xn)) * up(xn)) → buffers_->tmp; a one-token step's down projection
// also adds it into x and norms that into xn (residual_add_after).
void ForwardPass::record_dense_ffn(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const auto& gate_w = w(layer, "ffn_gate.weight");
  const uint64_t ff = gate_w.ne[1];
  const auto xn = floats(b.xn, 0, uint64_t(n_tokens) * c.n_embd);
  const auto gate = floats(b.gate, 0, n_tokens * ff), up = floats(b.up, 0, n_tokens * ff);
  profile_as(cmd, KernelFamily::kDenseFfn);
  kernels::record_matmul(ctx_, cmd, matmul_weight(gate_w), xn, gate, n_tokens);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_up.weight")), xn, up, n_tokens);
  cmd.barrier();
  kernels::record_swiglu(ctx_, cmd, gate, up, gate, n_tokens * ff);
  cmd.barrier();
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "ffn_down.weight")), gate,
                         floats(b.tmp, 0, uint64_t(n_tokens) * c.n_embd), n_tokens, std::nullopt, {},
                         residual_add_after(n_tokens, next_input_norm(layer)));
  cmd.barrier();
}

// Router logits of `xn` through layer `layer`'s router, then its top-k: expert ids and weights,
// and, given `plan` (one token), the dispatch plan in the same kernel, which then also takes
// the router's matmul where its format allows.
void ForwardPass::record_router(vk::CommandBuffer& cmd, uint32_t layer, const vk::BufferRange& xn,
                                const vk::BufferRange& logits, const vk::BufferRange& ids, const vk::BufferRange& weights,
                                uint32_t n_tokens, const kernels::MoeDispatchOutputs* plan) {
  profile_as(cmd, KernelFamily::kRouter);
  const auto params = router_params(config_);
  std::optional<vk::BufferRange> router_bias;
  if (params.bias_use == kernels::RouterBiasUse::kAddToLogits) router_bias = w(layer, "ffn_gate_inp.bias").range();
  if (params.bias_use == kernels::RouterBiasUse::kAddForSelection) router_bias = w(layer, "exp_probs_b.bias").range();
  const DeviceTensor& router = w(layer, "ffn_gate_inp.weight");
  const kernels::RouterMatmul matmul{router.range(), router.type, config_.n_embd, xn, buffers_->ticket.range()};
  if (plan != nullptr && kernels::router_matmul_fusable(matmul)) {
    kernels::record_router_matmul_topk_and_plan(ctx_, cmd, matmul, logits, router_bias, ids, weights, config_.n_expert,
                                                params, *plan);
    cmd.barrier();
    return;
  }
  kernels::record_matmul(ctx_, cmd, matmul_weight(router), xn, logits, n_tokens);
  cmd.barrier();
  if (plan != nullptr) {
    kernels::record_router_topk_and_plan(ctx_, cmd, logits, router_bias, ids, weights, config_.n_expert, params, *plan);
  } else {
    kernels::record_router_topk(ctx_, cmd, logits, router_bias, ids, weights, n_tokens, config_.n_expert, params);
  }
  cmd.barrier();
}

// gate/up over the routed rows (reading each row's token from xn through the dispatch's
// sources) → SwiGLU in place → down into y_grouped, each matmul once per
// dispatch. Dispatches hold disjoint experts but write the same tensors, hence the barriers
// between them. A later wave's SwiGLU also rewrites the rows of earlier waves, harmlessly:
// their down projections have already been taken. Where the GEMV serves the rows (decode,
// short prompts), gate, up and SwiGLU are one gated GEMV per dispatch instead.
// With `scatter_after` (one token, the layer's last dispatches), the last down projection
// ends with the weighted scatter into x and the next layer's input norm into xn.
void ForwardPass::record_expert_ffn(vk::CommandBuffer& cmd, uint32_t layer, std::span<const ExpertDispatch> dispatches,
                                    uint32_t n_tokens, bool scatter_after) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t rows = n_tokens * c.n_expert_used, ff = c.n_ff_expert;
  const auto offsets = b.expert_offsets.range();
  const auto gemv_tiles = gemv_tile_list(b, rows, c.n_expert);
  // Each matrix's bias, looked up once per layer rather than per dispatch.
  std::array<std::optional<vk::BufferRange>, kExpertMatrices> biases;
  for (uint32_t m = 0; m < kExpertMatrices; ++m) {
    std::string name = expert_tensor_name(layer, ExpertMatrix(m));
    name.replace(name.size() - 6, 6, "bias");  // "...weight" → "...bias"
    if (const DeviceTensor* t = weights_.find(name)) biases[m] = t->range();
  }
  auto bias = [&](ExpertMatrix m) { return biases[static_cast<uint32_t>(m)]; };
  // gate and up read xn's rows through the sources; down reads the routed rows of the activation.
  const auto xn = floats(b.xn, 0, uint64_t(n_tokens) * c.n_embd);
  const kernels::XSources sources{b.expert_sources.range(0, uint64_t(rows) * 4), c.n_expert_used};
  auto matmul = [&](const ExpertDispatch& d, ExpertMatrix m, const vk::BufferRange& x, const vk::BufferRange& y,
                    std::optional<kernels::XSources> x_sources, const std::optional<kernels::ScatterAfter>& scatter = {}) {
    const kernels::ExpertWeights& weights = d.matrices[static_cast<uint32_t>(m)];
    profile_as(cmd, m == ExpertMatrix::kDown ? KernelFamily::kExpertDown : KernelFamily::kExpertGateUp,
               routed_experts(weights, rows));
    kernels::ExpertRows r{x, offsets, d.slot_table, y, rows, gemv_tiles, x_sources};
    kernels::record_expert_matmul(ctx_, cmd, weights, r, bias(m), {}, scatter);
  };
  const auto gate = floats(b.gate, 0, uint64_t(rows) * ff), up = floats(b.up, 0, uint64_t(rows) * ff);
  auto glu_weights = [&](const ExpertDispatch& d) {
    return kernels::ExpertGluWeights{d.matrices[static_cast<uint32_t>(ExpertMatrix::kGate)],
                                     d.matrices[static_cast<uint32_t>(ExpertMatrix::kUp)], bias(ExpertMatrix::kGate),
                                     bias(ExpertMatrix::kUp)};
  };
  const kernels::GemvLayout layout = kernels::resolve_gemv_layout(ctx_.caps(), kernels::GemvLayout::kAuto);
  const bool fused = std::all_of(dispatches.begin(), dispatches.end(), [&](const ExpertDispatch& d) {
    return kernels::expert_glu_fusable(glu_weights(d), rows, layout);
  });
  if (fused) {
    const kernels::GluActivation act{c.swiglu_limit > 0.0f, c.swiglu_alpha, c.swiglu_limit};
    for (size_t i = 0; i < dispatches.size(); ++i) {
      if (i > 0) cmd.barrier();
      const kernels::ExpertGluWeights w = glu_weights(dispatches[i]);
      profile_as(cmd, KernelFamily::kExpertGateUp, routed_experts(w.gate, rows), routed_experts(w.up, rows));
      kernels::record_expert_glu_matmul(ctx_, cmd, w,
                                        {xn, offsets, dispatches[i].slot_table, gate, rows, gemv_tiles, sources}, act);
    }
  } else {
    for (size_t i = 0; i < dispatches.size(); ++i) {
      if (i > 0) cmd.barrier();
      matmul(dispatches[i], ExpertMatrix::kGate, xn, gate, sources);
      matmul(dispatches[i], ExpertMatrix::kUp, xn, up, sources);
    }
    cmd.barrier();
    profile_as(cmd, KernelFamily::kActivation);
    if (c.swiglu_limit > 0.0f) {
      kernels::record_clamped_swiglu(ctx_, cmd, gate, up, gate, uint64_t(rows) * ff, {c.swiglu_alpha, c.swiglu_limit});
    } else {
      kernels::record_swiglu(ctx_, cmd, gate, up, gate, uint64_t(rows) * ff);
    }
  }
  cmd.barrier();
  std::optional<kernels::ScatterAfter> scatter;
  if (scatter_after) {
    if (dispatches.empty()) throw Error(ErrorCode::kInternal, "expert FFN: the scatter needs a down projection to end");
    scatter = scatter_into_residual(b.expert_rows.range(0, uint64_t(rows) * 4), floats(b.expert_weights, 0, rows),
                                    next_input_norm(layer));
  }
  for (size_t i = 0; i < dispatches.size(); ++i) {
    if (i > 0) cmd.barrier();
    const bool last = i + 1 == dispatches.size();
    matmul(dispatches[i], ExpertMatrix::kDown, gate, floats(b.y_grouped, 0, uint64_t(rows) * c.n_embd), std::nullopt,
           last ? scatter : std::nullopt);
  }
  cmd.barrier();
}

// x += sum_j weight[t, j] * expert_{id[t, j]}(xn[t]) (+ shared expert)
void ForwardPass::record_moe_ffn(StepSubmitter& steps, uint32_t layer, uint32_t n_tokens) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens, k = c.n_expert_used, E = c.n_expert, H = c.n_embd;
  const uint32_t rows = T * k;
  const auto xn = floats(b.xn, 0, uint64_t(T) * H);
  const auto ids = b.expert_ids.range(0, uint64_t(rows) * 4);
  const auto weights = floats(b.expert_weights, 0, rows);
  vk::CommandBuffer& cmd = steps.cmd();
  const auto offsets = b.expert_offsets.range();
  const auto row_of = b.expert_rows.range(0, uint64_t(rows) * 4);
  const auto sources = b.expert_sources.range(0, uint64_t(rows) * 4);
  const kernels::MoeDispatchOutputs plan{offsets, row_of, sources, gemv_tile_list(b, rows, E)};
  // A decode step's one token gets its plan from the top-k kernel: a dispatch and a barrier fewer.
  const auto logits = floats(b.router_logits, 0, uint64_t(T) * E);
  record_router(cmd, layer, xn, logits, ids, weights, T, T == 1 ? &plan : nullptr);
  if (T > 1) {
    profile_as(cmd, KernelFamily::kMoeDispatch);
    kernels::record_moe_dispatch(ctx_, cmd, ids, plan, T, k, E);
    cmd.barrier();
  }
  // The experts read xn through the sources: no gather pass, and nothing here for them to wait on.
  cmd.copy(offsets, b.expert_usage_readback.range(uint64_t(layer) * (E + 1) * 4, (uint64_t(E) + 1) * 4));
  // A decode step's down projection ends with the scatter (and the next input norm), which
  // adds onto the shared experts' output as the scatter kernel would after them, so they go
  // first. Resident or streamed, the step takes this path, so its bits do not depend on the
  // VRAM budget.
  const bool scatter_after_down = T == 1;
  if (experts_ != nullptr) {
    stream_experts(steps, layer, T, scatter_after_down);
  } else {
    if (scatter_after_down && c.n_ff_shared > 0) record_shared_expert(cmd, layer, T);
    std::vector<ExpertDispatch> dispatches;
    for (const auto& window : b.expert_windows[layer]) {
      ExpertDispatch d{window.table, {}};
      for (uint32_t m = 0; m < kExpertMatrices; ++m) {
        d.matrices[m] = expert_window(weights_.get(expert_tensor_name(layer, ExpertMatrix(m))), window.first, window.count);
      }
      dispatches.push_back(d);
    }
    record_expert_ffn(cmd, layer, dispatches, T, scatter_after_down);
  }
  if (scatter_after_down) return;

  // The expert FFN may have ended in a later command buffer.
  if (c.n_ff_shared > 0) record_shared_expert(steps.cmd(), layer, n_tokens);
  profile_as(steps.cmd(), KernelFamily::kScatter);
  kernels::record_moe_scatter_norm(ctx_, steps.cmd(), floats(b.y_grouped, 0, uint64_t(rows) * H), row_of, weights,
                                   floats(b.x, 0, uint64_t(T) * H), next_input_norm(layer),
                                   floats(b.xn, 0, uint64_t(T) * H), T, k, H, c.rms_norm_eps);
  steps.cmd().barrier();
}

// The streamed expert FFN: the step is submitted up to here so the host can read which
// experts the tokens chose; the ExpertStore brings them into VRAM slots in waves, each wave
// computed by its own piece of the step. With prefetch on, the next MoE layer's router also
// runs on the current hidden state, and its choice is copied in while this layer computes.
void ForwardPass::stream_experts(StepSubmitter& steps, uint32_t layer, uint32_t n_tokens, bool scatter_after) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens, k = c.n_expert_used, E = c.n_expert, H = c.n_embd, rows = T * k;
  const uint64_t th = uint64_t(T) * H;
  const bool predict = experts_->options().prefetch && layer + 1 < c.n_layer && is_moe_layer(c, layer + 1);
  vk::CommandBuffer& cmd = steps.cmd();
  if (predict) {
    profile_as(cmd, KernelFamily::kNorm);
    kernels::record_rms_norm(ctx_, cmd, floats(b.x, 0, th), w(layer + 1, ffn_norm_name(c)).range(),
                             floats(b.xn_next, 0, th), H, T, c.rms_norm_eps);
    cmd.barrier();
    record_router(cmd, layer + 1, floats(b.xn_next, 0, th), floats(b.predicted_logits, 0, uint64_t(T) * E),
                  b.predicted_ids.range(0, uint64_t(rows) * 4), floats(b.predicted_weights, 0, rows), T);
  }
  cmd.copy(b.expert_offsets.range(), b.routing_readback.range(0, (uint64_t(E) + 1) * 4));
  if (predict) cmd.copy(b.predicted_ids.range(0, uint64_t(rows) * 4), b.routing_readback.range((uint64_t(E) + 1) * 4, uint64_t(rows) * 4));
  cmd.barrier();
  steps.submit_and_wait();

  // The shared experts before the routed ones (see record_moe_ffn), recorded after the
  // routing read-back so the host learns the routing no later than before.
  if (scatter_after && c.n_ff_shared > 0) record_shared_expert(steps.cmd(), layer, T);
  b.routing_readback.invalidate(0, b.routing_readback.size());
  const auto* readback = static_cast<const uint32_t*>(b.routing_readback.mapped());
  std::vector<uint32_t> rows_per_expert(E);
  for (uint32_t e = 0; e < E; ++e) rows_per_expert[e] = readback[e + 1] - readback[e];

  const uint32_t n_waves = experts_->plan_layer(layer, rows_per_expert);
  for (uint32_t wave = 0; wave < n_waves; ++wave) {
    ExpertWave staged = experts_->stage_wave(wave);
    std::vector<ExpertDispatch> dispatches;
    for (const ExpertSource& source : staged.sources) {
      ExpertDispatch d{source.slot_table, {}};
      for (uint32_t m = 0; m < kExpertMatrices; ++m) d.matrices[m] = experts_->matrix(source, layer, ExpertMatrix(m));
      dispatches.push_back(d);
    }
    record_expert_ffn(steps.cmd(), layer, dispatches, T, scatter_after && wave + 1 == n_waves);
    if (staged.copies_done) steps.wait_for(*staged.copies_done);
    experts_->wave_submitted(wave, wave + 1 < n_waves ? steps.submit() : steps.pending_point());
  }
  if (predict) {
    // Most voted first; ties keep the router's order, so one token's prediction is its top-k.
    const uint32_t* predicted = readback + E + 1;
    std::vector<uint32_t> votes(E, 0), order;
    for (uint32_t i = 0; i < rows; ++i) {
      const uint32_t e = predicted[i];
      if (e < E && votes[e]++ == 0) order.push_back(e);
    }
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t z) { return votes[a] > votes[z]; });
    experts_->prefetch(layer + 1, order);
  }
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
  profile_as(cmd, KernelFamily::kSharedExpert);
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
