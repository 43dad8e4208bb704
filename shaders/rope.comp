#version 450
// Rotary position embedding. x and out are (T, heads, head_dim) with the strides below;
// positions is (T). Invocation i of a head rotates pair i for i < n_rot/2 and copies dim
// n_rot + (i - n_rot/2) otherwise (rope_rotation.glsl has the angles). In place is allowed:
// each invocation reads its own elements before writing them.
#include "compute_common.glsl"
#include "rope_rotation.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Positions { uint positions[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint tokens;
  uint heads;
  uint head_dim;
  uint in_token_stride;
  uint in_head_stride;
  uint out_token_stride;
  uint out_head_stride;
  RopeFrequencies rope;
} p;

void main() {
  uint half_rot = p.rope.n_rot / 2;
  uint per_head = half_rot + (p.head_dim - p.rope.n_rot);
  uint idx = flat_invocation_index();
  if (idx >= p.tokens * p.heads * per_head) return;
  uint i = idx % per_head;
  uint th = idx / per_head;
  uint h = th % p.heads;
  uint t = th / p.heads;
  uint in_base = t * p.in_token_stride + h * p.in_head_stride;
  uint out_base = t * p.out_token_stride + h * p.out_head_stride;
  if (i >= half_rot) {
    uint d = p.rope.n_rot + (i - half_rot);
    out_[out_base + d] = x[in_base + d];
    return;
  }
  uvec2 d = rope_pair_dims(p.rope, i);
  vec2 r = rope_rotate(vec2(x[in_base + d.x], x[in_base + d.y]), rope_cos_sin(p.rope, i, positions[t]));
  out_[out_base + d.x] = r.x;
  out_[out_base + d.y] = r.y;
}
