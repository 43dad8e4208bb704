#version 450
// The residual add and the RMSNorm after it in one pass over each row:
//   x[r, :] += y[r, :];  out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight[:]
// x, y and out are (rows, n); one workgroup per row. It replaces an add, a barrier and a norm,
// with the same float operations in the same order, so results equal that sequence's.
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Y { float y[]; };
layout(std430, binding = 2) readonly buffer W { float weight[]; };
layout(std430, binding = 3) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n;
  uint rows;
  float eps;
} p;

void main() {
  uint row = flat_group_index();
  if (row >= p.rows) return;
  uint base = row * p.n;
  float sum_sq = 0.0;
  // Each invocation later reads back only the elements it wrote itself.
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) {
    float v = x[base + i] + y[base + i];
    x[base + i] = v;
    sum_sq += v * v;
  }
  float scale = inversesqrt(workgroup_sum(sum_sq) / float(p.n) + p.eps);
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) {
    out_[base + i] = x[base + i] * scale * weight[i];
  }
}
