#version 450
// A layer's fresh q, k, v made ready for attention in one dispatch: the q/k RMSNorms (per head
// or over a token's heads), the rotary embedding of q and k, and the write of k and v into the
// cache at the tokens' positions. The same operations as rms_norm.comp, rope.comp and
// kv_cache_write.comp in turn, so the same bits, without the barriers between them.
//
// q is (T, n_head, head_dim_k), normed and roped in place; k is (T, n_head_kv, head_dim_k) and
// v (T, n_head_kv, head_dim_v), read only; the caches are (n_head_kv, max_ctx, head_dim), F32
// or (KV_F16) F16; positions is (T), and a position >= max_ctx writes nothing to the cache.
//
// Per token, workgroups take q's norm groups, then k's, then v's heads. A norm group is one
// head, or all of a token's q (or k) heads under the whole-token norm (without norms, one head).
// Its sum of squares is taken by the first `lanes` invocations, `lanes` being the workgroup
// size rms_norm.comp would use for that row, so the partial sums and their order match it.
#include "compute_common.glsl"
#include "rope_rotation.glsl"
#include "workgroup_reduce.glsl"
#ifdef KV_F16
#include "f16_round.glsl"
#endif

layout(std430, binding = 0) buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer V { float v[]; };
layout(std430, binding = 3) readonly buffer QNorm { float q_norm[]; };
layout(std430, binding = 4) readonly buffer KNorm { float k_norm[]; };
layout(std430, binding = 5) readonly buffer Positions { uint positions[]; };
#ifdef KV_F16
layout(std430, binding = 6) writeonly buffer KCache { uint16_t k_cache[]; };
layout(std430, binding = 7) writeonly buffer VCache { uint16_t v_cache[]; };
#else
layout(std430, binding = 6) writeonly buffer KCache { float k_cache[]; };
layout(std430, binding = 7) writeonly buffer VCache { float v_cache[]; };
#endif

layout(push_constant) uniform Push {
  uint tokens;
  uint n_head;
  uint n_head_kv;
  uint head_dim_k;
  uint head_dim_v;
  uint max_ctx;
  uint norm;          // kernels::QkNorm: 0 none, 1 per head, 2 over a token's heads
  uint q_norm_lanes;  // rms_norm.comp's workgroup size for a q norm group
  uint k_norm_lanes;  // and for a k norm group
  float eps;
  RopeFrequencies rope;
} p;

const uint kNormWholeToken = 2u;  // kernels::QkNorm::kWholeToken

#ifdef KV_F16
#define CACHE_VALUE(x) f32_to_f16_bits(x)
#else
#define CACHE_VALUE(x) (x)
#endif

// Both buffers are read through branches (not a select) so that only one is ever indexed.
float load_qk(bool is_q, uint i) {
  if (is_q) return q[i];
  return k[i];
}

void main() {
  const bool whole_token = p.norm == kNormWholeToken;
  const uint q_groups = whole_token ? 1u : p.n_head;
  const uint k_groups = whole_token ? 1u : p.n_head_kv;
  const uint per_token = q_groups + k_groups + p.n_head_kv;
  const uint group = flat_group_index();
  if (group >= p.tokens * per_token) return;
  const uint t = group / per_token, slot = group % per_token;
  const uint pos = positions[t];
  const bool cached = pos < p.max_ctx;
  const uint lid = gl_LocalInvocationID.x;

  if (slot >= q_groups + k_groups) {
    // A v head: straight into the cache.
    const uint h = slot - q_groups - k_groups;
    if (!cached) return;
    const uint src = (t * p.n_head_kv + h) * p.head_dim_v, dst = (h * p.max_ctx + pos) * p.head_dim_v;
    for (uint d = lid; d < p.head_dim_v; d += gl_WorkGroupSize.x) v_cache[dst + d] = CACHE_VALUE(v[src + d]);
    return;
  }

  const bool is_q = slot < q_groups;
  const uint heads = is_q ? p.n_head : p.n_head_kv;
  const uint group_heads = whole_token ? heads : 1u;
  const uint head0 = whole_token ? 0u : (is_q ? slot : slot - q_groups);
  const uint hd = p.head_dim_k;
  const uint n = group_heads * hd;
  const uint base = (t * heads + head0) * hd;  // of the group in q or k

  float scale = 1.0;
  if (p.norm != 0u) {
    const uint lanes = is_q ? p.q_norm_lanes : p.k_norm_lanes;
    float sum_sq = 0.0;
    if (lid < lanes) {
      for (uint i = lid; i < n; i += lanes) {
        float x = load_qk(is_q, base + i);
        sum_sq += x * x;
      }
    }
    scale = inversesqrt(workgroup_sum(sum_sq) / float(n) + p.eps);
    barrier();  // q is rewritten in place below: every read for the sum comes first
  }

  const uint half_rot = p.rope.n_rot / 2u;
  const uint per_head = half_rot + (hd - p.rope.n_rot);
  for (uint u = lid; u < group_heads * per_head; u += gl_WorkGroupSize.x) {
    const uint h = u / per_head, i = u % per_head;
    // A rotated pair of the head, or one dim passed through (as a pair of itself).
    const uvec2 in_head = i < half_rot ? rope_pair_dims(p.rope, i) : uvec2(p.rope.n_rot + (i - half_rot));
    const uvec2 d = h * hd + in_head;  // within the group, as the norm weights index it
    vec2 x = vec2(load_qk(is_q, base + d.x), load_qk(is_q, base + d.y));
    if (p.norm != 0u) {
      // rms_norm.comp's product, in its order.
      if (is_q) x = vec2(x.x * scale * q_norm[d.x], x.y * scale * q_norm[d.y]);
      else x = vec2(x.x * scale * k_norm[d.x], x.y * scale * k_norm[d.y]);
    }
    if (i < half_rot) x = rope_rotate(x, rope_cos_sin(p.rope, i, pos));
    if (is_q) {
      q[base + d.x] = x.x;
      q[base + d.y] = x.y;
    } else if (cached) {
      const uint row = ((head0 + h) * p.max_ctx + pos) * hd;
      k_cache[row + in_head.x] = CACHE_VALUE(x.x);
      k_cache[row + in_head.y] = CACHE_VALUE(x.y);
    }
  }
}
