#include "engine/kernels/router_topk.h"

#include <algorithm>
#include <span>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/format_variant.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

RouterParams RouterParams::softmax_topk(uint32_t k, bool renormalize) {
  RouterParams p;
  p.k = k;
  p.score = RouterScore::kSoftmax;
  p.norm = renormalize ? RouterWeightNorm::kSumToOne : RouterWeightNorm::kNone;
  return p;
}

RouterParams RouterParams::topk_softmax(uint32_t k, bool has_bias) {
  RouterParams p;
  p.k = k;
  p.score = RouterScore::kLogits;
  p.bias_use = has_bias ? RouterBiasUse::kAddToLogits : RouterBiasUse::kNone;
  p.norm = RouterWeightNorm::kSoftmaxOverChosen;
  return p;
}

RouterParams RouterParams::deepseek_v3(uint32_t k, uint32_t n_group, uint32_t topk_group, bool norm_topk_prob,
                                       float routed_scaling_factor) {
  RouterParams p;
  p.k = k;
  p.score = RouterScore::kSigmoid;
  p.bias_use = RouterBiasUse::kAddForSelection;
  p.norm = norm_topk_prob ? RouterWeightNorm::kSumToOne : RouterWeightNorm::kNone;
  p.n_group = n_group;
  p.topk_group = topk_group;
  p.group_top_n = 2;
  p.scale = routed_scaling_factor;
  return p;
}

namespace {

void validate(const RouterParams& p, uint32_t n_expert, bool has_bias) {
  auto fail = [](const std::string& what) { throw Error(ErrorCode::kInternal, "router_topk: " + what); };
  if (n_expert == 0 || n_expert > kRouterMaxExperts) fail("n_expert " + std::to_string(n_expert) + " outside 1..256");
  if (p.k == 0 || p.k > kRouterMaxK || p.k > n_expert) fail("k " + std::to_string(p.k) + " outside 1..min(16, n_expert)");
  if ((p.bias_use != RouterBiasUse::kNone) != has_bias) fail("bias buffer given without a bias use, or missing");
  if (p.n_group == 0 || n_expert % p.n_group != 0) fail("n_group " + std::to_string(p.n_group) + " does not divide n_expert");
  if (p.n_group > 1) {
    uint32_t group_size = n_expert / p.n_group;
    if (p.topk_group == 0 || p.topk_group > p.n_group) fail("topk_group " + std::to_string(p.topk_group) + " outside 1..n_group");
    if (p.group_top_n == 0 || p.group_top_n > 2 || p.group_top_n > group_size) fail("group_top_n must be 1 or 2 and fit a group");
    if (p.k > p.topk_group * group_size) fail("k exceeds the experts of the kept groups");
  }
}

void check_ranges(const vk::BufferRange& logits, const std::optional<vk::BufferRange>& bias, const vk::BufferRange& ids,
                  const vk::BufferRange& weights, uint32_t n_tokens, uint32_t n_expert, const RouterParams& params) {
  validate(params, n_expert, bias.has_value());
  uint64_t chosen = uint64_t(n_tokens) * params.k;
  if (logits.size < uint64_t(n_tokens) * n_expert * 4 || ids.size < chosen * 4 || weights.size < chosen * 4 ||
      (bias && bias->size < uint64_t(n_expert) * 4)) {
    throw Error(ErrorCode::kInternal, "router_topk: range too small");
  }
}

RouterTopKPush make_push(uint32_t n_tokens, uint32_t n_expert, const RouterParams& params) {
  return {n_tokens,
          n_expert,
          params.k,
          static_cast<uint32_t>(params.score),
          static_cast<uint32_t>(params.bias_use),
          static_cast<uint32_t>(params.norm),
          params.n_group,
          params.n_group > 1 ? params.topk_group : 1,
          params.group_top_n,
          params.scale};
}

// One token's k rows make k GEMV tiles, one per chosen expert (expert_gemv_tiles(k, n_expert)
// is k): the list is exactly full, with no end marker to write. Returns that list's range.
vk::BufferRange check_plan(const MoeDispatchOutputs& plan, uint32_t n_expert, const RouterParams& params) {
  const uint32_t tiles = params.k;
  if (plan.offsets.size < (n_expert + 1) * 4ull || plan.rows.size < params.k * 4ull || plan.sources.size < params.k * 4ull ||
      plan.gemv_tiles.size < tiles * 8ull) {
    throw Error(ErrorCode::kInternal, "router_topk: dispatch plan range too small");
  }
  return {plan.gemv_tiles.buffer, plan.gemv_tiles.offset, tiles * 8ull};
}

}  // namespace

void record_router_topk(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& logits,
                        const std::optional<vk::BufferRange>& bias, const vk::BufferRange& ids,
                        const vk::BufferRange& weights, uint32_t n_tokens, uint32_t n_expert, const RouterParams& params) {
  check_ranges(logits, bias, ids, weights, n_tokens, n_expert, params);
  if (n_tokens == 0) return;
  const uint32_t spec[] = {64};
  const auto& pipeline = ctx.pipelines().get({"router_topk", 4, sizeof(RouterTopKPush), spec});
  Grid g = grid_for_groups(n_tokens, ctx.caps());
  // Without a bias the logits stand in at binding 1; the shader never reads it then.
  cmd.dispatch(pipeline, {logits, bias.value_or(logits), ids, weights}, make_push(n_tokens, n_expert, params), g.x, g.y);
}


void record_router_topk_and_plan(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& logits,
                                 const std::optional<vk::BufferRange>& bias, const vk::BufferRange& ids,
                                 const vk::BufferRange& weights, uint32_t n_expert, const RouterParams& params,
                                 const MoeDispatchOutputs& plan) {
  check_ranges(logits, bias, ids, weights, 1, n_expert, params);
  const vk::BufferRange tile_range = check_plan(plan, n_expert, params);
  const uint32_t spec[] = {64};
  const auto& pipeline = ctx.pipelines().get({"router_topk_plan", 8, sizeof(RouterTopKPush), spec});
  cmd.dispatch(pipeline, {logits, bias.value_or(logits), ids, weights, plan.offsets, plan.rows, plan.sources, tile_range},
               make_push(1, n_expert, params), 1);
}

bool router_matmul_fusable(const RouterMatmul& m) {
  const bool float_format = m.type == TensorType::kF32 || m.type == TensorType::kF16 || m.type == TensorType::kBF16;
  return float_format && m.hidden > 0 && m.hidden % 4 == 0 && m.w.offset % 16 == 0 && m.x.offset % 16 == 0;
}

void record_router_matmul_topk_and_plan(vk::Context& ctx, vk::CommandBuffer& cmd, const RouterMatmul& matmul,
                                        const vk::BufferRange& logits, const std::optional<vk::BufferRange>& bias,
                                        const vk::BufferRange& ids, const vk::BufferRange& weights, uint32_t n_expert,
                                        const RouterParams& params, const MoeDispatchOutputs& plan) {
  check_ranges(logits, bias, ids, weights, 1, n_expert, params);
  const vk::BufferRange tile_range = check_plan(plan, n_expert, params);
  if (!router_matmul_fusable(matmul)) throw Error(ErrorCode::kInternal, "router_topk: the router's matmul cannot join it");
  const uint64_t w_bytes = uint64_t(n_expert) * matmul.hidden * tensor_type_info(matmul.type).block_bytes;
  if (matmul.w.size < w_bytes || matmul.x.size < matmul.hidden * 4ull || matmul.ticket.size < 4) {
    throw Error(ErrorCode::kInternal, "router_topk: router weight, x or ticket range too small");
  }
  // Texel views (router_topk.comp's TEXEL_READS): W's runs at binding 11, 16-byte quads for
  // F32 and 8-byte words for F16 and BF16; x's runs as quads at binding 12.
  using vk::TexelFormat;
  const bool texel_reads = resolve_gemv_layout(ctx.caps(), matmul.layout) == GemvLayout::kRowsPerSubgroup;
  // A subgroup per expert: on a GPU few experts per workgroup, spread over many workgroups.
  // With texel reads, a subgroup per 4 experts (EXPERTS_PER_SUBGROUP), sharing each x fetch.
  constexpr uint32_t kWorkgroup = 64, kTexelExpertsPerSubgroup = 4;
  const uint32_t subgroup = std::clamp<uint32_t>(ctx.caps().subgroup_size, 1, kWorkgroup);
  const uint32_t per_group = kWorkgroup / subgroup * (texel_reads ? kTexelExpertsPerSubgroup : 1);
  const uint32_t spec[] = {kWorkgroup};
  const TexelFormat w_texel = matmul.type == TensorType::kF32 ? TexelFormat::kQuads : TexelFormat::kWords;
  const vk::TexelBinding texels[] = {{11, 8, w_texel}, {12, 9, TexelFormat::kQuads}};
  const std::string name = std::string(texel_reads ? "router_topk_logits_texels_" : "router_topk_logits_") +
                           format_variant_suffix(matmul.type);
  std::span<const vk::TexelBinding> bound_texels;
  if (texel_reads) bound_texels = texels;
  const auto& pipeline = ctx.pipelines().get({name, 11, sizeof(RouterLogitsPush), spec, 0, bound_texels});
  const vk::BufferRange w{matmul.w.buffer, matmul.w.offset, w_bytes};
  const RouterLogitsPush push{make_push(1, n_expert, params), matmul.hidden, per_group};
  const Grid g = grid_for_groups((n_expert + per_group - 1) / per_group, ctx.caps());
  cmd.dispatch(pipeline,
               {logits, bias.value_or(logits), ids, weights, plan.offsets, plan.rows, plan.sources, tile_range, w, matmul.x,
                matmul.ticket},
               push, g.x, g.y);
}

}  // namespace vkmoe::kernels
