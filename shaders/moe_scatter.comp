#version 450
// out[t, :] (+)= sum_j weights[t, j] * y_grouped[rows[t * k + j], :], j = 0..k-1 in order.
// One workgroup per token. y_grouped is (T * k, H); rows, weights are (T, k); out is (T, H).
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Rows { uint rows[]; };
layout(std430, binding = 2) readonly buffer Weights { float weights[]; };
layout(std430, binding = 3) buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n_tokens;
  uint k;
  uint hidden;
  uint accumulate;
} p;

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  uint n_rows = p.n_tokens * p.k;
  for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) {
    float acc = 0.0;
    for (uint j = 0; j < p.k; ++j) {
      uint r = rows[t * p.k + j];
      if (r < n_rows) acc += weights[t * p.k + j] * y[r * p.hidden + h];
    }
    uint o = t * p.hidden + h;
    out_[o] = p.accumulate != 0 ? out_[o] + acc : acc;
  }
}
