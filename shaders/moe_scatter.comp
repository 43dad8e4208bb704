#version 450
// out[t, :] (+)= sum_j weights[t, j] * y_grouped[rows[t * k + j], :], j = 0..k-1 in order.
// One workgroup per token. y_grouped is (T * k, H); rows, weights are (T, k); out is (T, H).
// NORM_AFTER (always accumulating): then also normed[t, :] = RMSNorm(out[t, :]) * norm_weight,
// the next layer's input norm, with the norm kernel's operations in its order.
#include "compute_common.glsl"
#if defined(NORM_AFTER)
#include "workgroup_reduce.glsl"
#endif

layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Rows { uint rows[]; };
layout(std430, binding = 2) readonly buffer Weights { float weights[]; };
layout(std430, binding = 3) buffer Out { float out_[]; };
#if defined(NORM_AFTER)
layout(std430, binding = 4) readonly buffer NormWeight { float norm_weight[]; };
layout(std430, binding = 5) writeonly buffer Normed { float normed[]; };
#endif

layout(push_constant) uniform Push {
  uint n_tokens;
  uint k;
  uint hidden;
  uint accumulate;
#if defined(NORM_AFTER)
  float eps;
#endif
} p;

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  uint n_rows = p.n_tokens * p.k;
  float sum_sq = 0.0;
  for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) {
    float acc = 0.0;
    for (uint j = 0; j < p.k; ++j) {
      uint r = rows[t * p.k + j];
      if (r < n_rows) acc += weights[t * p.k + j] * y[r * p.hidden + h];
    }
    uint o = t * p.hidden + h;
    float v = p.accumulate != 0 ? out_[o] + acc : acc;
    out_[o] = v;
    sum_sq += v * v;
  }
#if defined(NORM_AFTER)
  // Each invocation reads back only the elements it wrote.
  float scale = inversesqrt(workgroup_sum(sum_sq) / float(p.hidden) + p.eps);
  for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) {
    uint o = t * p.hidden + h;
    normed[o] = out_[o] * scale * norm_weight[h];
  }
#endif
}
