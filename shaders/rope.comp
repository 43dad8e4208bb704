#version 450
// Rotary position embedding. x and out are (T, heads, head_dim) with the strides below;
// positions is (T). Invocation i of a head rotates pair i for i < n_rot/2 and copies dim
// n_rot + (i - n_rot/2) otherwise. In place is allowed: each invocation reads its own
// elements before writing them.
//
// Angle of pair i at position p (transformers' rope init functions):
//   inv_freq_i = base^(-2i/n_rot)
//   YaRN: r = clamp((i - low) / (high - low), 0, 1), e = (1 - r) * ext_factor,
//         theta = p * inv_freq_i * (freq_scale * (1 - e) + e)
//   linear: e = 0, so theta = p * inv_freq_i / factor
// and cos/sin are multiplied by attn_factor.
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Positions { uint positions[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint tokens;
  uint heads;
  uint head_dim;
  uint n_rot;
  uint in_token_stride;
  uint in_head_stride;
  uint out_token_stride;
  uint out_head_stride;
  uint neox;
  float log2_theta_step;
  float freq_scale;
  float ext_factor;
  float corr_low;
  float corr_high;
  float attn_factor;
} p;

const float kTwoPi = 6.28318530717958647692;
// 2*pi split so that k * kTwoPiHi is exact for the k that occur (|k| < 2^16).
const float kTwoPiHi = 6.28125;
const float kTwoPiLo = 0.001935307179586232;

// Reduces the angle to [-pi, pi] before sin/cos: GPU sin/cos lose accuracy on large
// arguments, and positions reach tens of thousands of radians.
float reduce_angle(float a) {
  float k = round(a * (1.0 / kTwoPi));
  return (a - k * kTwoPiHi) - k * kTwoPiLo;
}

void main() {
  uint half_rot = p.n_rot / 2;
  uint per_head = half_rot + (p.head_dim - p.n_rot);
  uint idx = flat_invocation_index();
  if (idx >= p.tokens * p.heads * per_head) return;
  uint i = idx % per_head;
  uint th = idx / per_head;
  uint h = th % p.heads;
  uint t = th / p.heads;
  uint in_base = t * p.in_token_stride + h * p.in_head_stride;
  uint out_base = t * p.out_token_stride + h * p.out_head_stride;
  if (i >= half_rot) {
    uint d = p.n_rot + (i - half_rot);
    out_[out_base + d] = x[in_base + d];
    return;
  }
  float inv_freq = exp2(-float(i) * p.log2_theta_step);
  float ramp = clamp((float(i) - p.corr_low) / (p.corr_high - p.corr_low), 0.0, 1.0);
  float extrapolation = (1.0 - ramp) * p.ext_factor;
  inv_freq *= p.freq_scale * (1.0 - extrapolation) + extrapolation;
  float angle = reduce_angle(float(positions[t]) * inv_freq);
  float c = cos(angle) * p.attn_factor;
  float s = sin(angle) * p.attn_factor;
  uint d0 = p.neox != 0u ? i : 2u * i;
  uint d1 = p.neox != 0u ? i + half_rot : 2u * i + 1u;
  float x0 = x[in_base + d0];
  float x1 = x[in_base + d1];
  out_[out_base + d0] = x0 * c - x1 * s;
  out_[out_base + d1] = x0 * s + x1 * c;
}
