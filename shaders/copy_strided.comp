#version 450
// Strided copy of a (T, heads, dim) float tensor: reorders heads and tokens (e.g. (T, H, D)
// ↔ (H, T, D)) or moves a column slice of each row into another tensor.
//   out[t * out_ts + h * out_hs + d] = in[t * in_ts + h * in_hs + d]
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer In { float in_[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint tokens, heads, dim;
  uint in_token_stride, in_head_stride;
  uint out_token_stride, out_head_stride;
} p;

void main() {
  uint i = flat_invocation_index();
  if (i >= p.tokens * p.heads * p.dim) return;
  uint d = i % p.dim;
  uint h = (i / p.dim) % p.heads;
  uint t = i / (p.dim * p.heads);
  out_[t * p.out_token_stride + h * p.out_head_stride + d] = in_[t * p.in_token_stride + h * p.in_head_stride + d];
}
