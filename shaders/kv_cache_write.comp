#version 450
// Writes T tokens of K or V into a cache at their positions. src is (T, heads, head_dim)
// with token stride src_token_stride (floats); cache is (heads, max_ctx, head_dim), F32 or
// (KV_F16) F16. positions is (T); a position >= max_ctx is skipped, never written.
#include "compute_common.glsl"
#ifdef KV_F16
#include "f16_round.glsl"
#endif

layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) readonly buffer Positions { uint positions[]; };
#ifdef KV_F16
layout(std430, binding = 2) writeonly buffer Cache { uint16_t cache[]; };
#else
layout(std430, binding = 2) writeonly buffer Cache { float cache[]; };
#endif

layout(push_constant) uniform Push {
  uint tokens;
  uint heads;
  uint head_dim;
  uint max_ctx;
  uint src_token_stride;
} p;

void main() {
  uint idx = flat_invocation_index();
  if (idx >= p.tokens * p.heads * p.head_dim) return;
  uint d = idx % p.head_dim;
  uint th = idx / p.head_dim;
  uint h = th % p.heads;
  uint t = th / p.heads;
  uint pos = positions[t];
  if (pos >= p.max_ctx) return;
  float v = src[t * p.src_token_stride + h * p.head_dim + d];
  uint dst = (h * p.max_ctx + pos) * p.head_dim + d;
#ifdef KV_F16
  cache[dst] = f32_to_f16_bits(v);
#else
  cache[dst] = v;
#endif
}
