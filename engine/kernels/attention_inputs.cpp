#include "engine/kernels/attention_inputs.h"

#include <algorithm>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/rms_norm.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_attention_inputs(vk::Context& ctx, vk::CommandBuffer& cmd, const AttentionInputsShape& s, const QkNormConfig& norm,
                             const RopeConfig& rope, KvCacheType cache_type, const AttentionInputs& b) {
  if (s.tokens == 0 || s.n_head == 0 || s.n_head_kv == 0 || s.head_dim_k == 0 || s.head_dim_v == 0 || s.max_ctx == 0) {
    throw Error(ErrorCode::kInternal, "attention_inputs: empty shape");
  }
  const bool normed = norm.kind != QkNorm::kNone;
  if (normed != (b.q_norm.has_value() && b.k_norm.has_value())) {
    throw Error(ErrorCode::kInternal, "attention_inputs: q and k norm weights go with a q/k norm, and only with one");
  }
  const bool whole_token = norm.kind == QkNorm::kWholeToken;
  // A norm group: one head, or all of a token's q (k) heads.
  const uint32_t q_group = whole_token ? s.n_head * s.head_dim_k : s.head_dim_k;
  const uint32_t k_group = whole_token ? s.n_head_kv * s.head_dim_k : s.head_dim_k;
  const uint64_t elem = kv_cache_element_bytes(cache_type);
  auto too_small = [](const vk::BufferRange& r, uint64_t bytes) { return r.size < bytes; };
  if (too_small(b.q, 4ull * s.tokens * s.n_head * s.head_dim_k) || too_small(b.k, 4ull * s.tokens * s.n_head_kv * s.head_dim_k) ||
      too_small(b.v, 4ull * s.tokens * s.n_head_kv * s.head_dim_v) || too_small(b.positions, 4ull * s.tokens) ||
      too_small(b.k_cache, elem * s.n_head_kv * s.max_ctx * s.head_dim_k) ||
      too_small(b.v_cache, elem * s.n_head_kv * s.max_ctx * s.head_dim_v) ||
      (normed && (too_small(*b.q_norm, 4ull * q_group) || too_small(*b.k_norm, 4ull * k_group)))) {
    throw Error(ErrorCode::kInternal, "attention_inputs: range too small for " + std::to_string(s.tokens) + " tokens of " +
                                          std::to_string(s.n_head) + " q and " + std::to_string(s.n_head_kv) +
                                          " kv heads into a cache of " + std::to_string(s.max_ctx) + " positions");
  }

  AttentionInputsPush p{};
  p.tokens = s.tokens;
  p.n_head = s.n_head;
  p.n_head_kv = s.n_head_kv;
  p.head_dim_k = s.head_dim_k;
  p.head_dim_v = s.head_dim_v;
  p.max_ctx = s.max_ctx;
  p.norm = static_cast<uint32_t>(norm.kind);
  p.q_norm_lanes = norm_workgroup_size(q_group);
  p.k_norm_lanes = norm_workgroup_size(k_group);
  p.eps = norm.eps;
  p.rope = make_rope_frequencies(rope, s.head_dim_k);

  // Without norms any size serves; with them, the larger of the two norms' sizes, each norm
  // summing over its own lanes.
  const uint32_t spec[] = {normed ? std::max(p.q_norm_lanes, p.k_norm_lanes) : 64u};
  const char* name = cache_type == KvCacheType::kF16 ? "attention_inputs_f16" : "attention_inputs_f32";
  const auto& pipeline = ctx.pipelines().get({name, 8, sizeof(AttentionInputsPush), spec});
  // Norm weights are not read without a norm; q stands in for their bindings.
  const vk::BufferRange q_norm = normed ? *b.q_norm : b.q, k_norm = normed ? *b.k_norm : b.q;
  const uint64_t groups_per_token = (whole_token ? 2ull : uint64_t(s.n_head) + s.n_head_kv) + s.n_head_kv;
  Grid g = grid_for_groups(uint64_t(s.tokens) * groups_per_token, ctx.caps());
  cmd.dispatch(pipeline, {b.q, b.k, b.v, q_norm, k_norm, b.positions, b.k_cache, b.v_cache}, p, g.x, g.y);
}

}  // namespace vkmoe::kernels
