#version 450
// The weighted scatter after the expert matmuls, one workgroup per token
// (moe_scatter_token.glsl): y_grouped is (T * k, H); rows, weights are (T, k); out is (T, H).
// SCATTER_NORM (always accumulating): also the next layer's input norm of out into normed.
#include "compute_common.glsl"
#if defined(SCATTER_NORM)
#include "workgroup_reduce.glsl"
#endif

layout(std430, binding = 0) readonly buffer Y { float scatter_y[]; };
layout(std430, binding = 1) readonly buffer Rows { uint scatter_rows[]; };
layout(std430, binding = 2) readonly buffer Weights { float scatter_weights[]; };
layout(std430, binding = 3) buffer Out { float scatter_out[]; };
#if defined(SCATTER_NORM)
layout(std430, binding = 4) readonly buffer NormWeight { float scatter_norm_weight[]; };
layout(std430, binding = 5) writeonly buffer Normed { float scatter_normed[]; };
#endif

layout(push_constant) uniform Push {
  uint n_tokens;
  uint k;
  uint hidden;
  uint accumulate;
#if defined(SCATTER_NORM)
  float eps;
#endif
} p;

float scatter_y_at(uint i) { return scatter_y[i]; }
#include "moe_scatter_token.glsl"

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  float sum_sq = scatter_token(t, p.n_tokens, p.k, p.hidden, p.accumulate != 0);
#if defined(SCATTER_NORM)
  scatter_norm(t, p.hidden, p.eps, sum_sq);
#endif
}
