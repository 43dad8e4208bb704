#version 450
// RMSNorm over rows: out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight[:].
// Row r of x starts at r * x_stride, of out at r * out_stride (strides >= n, so a row can be
// a column slice of a wider tensor); one workgroup per row. Also serves per-head q/k norm,
// where a "row" is one head of one token.
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float weight[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n;
  uint rows;
  float eps;
  uint x_stride;
  uint out_stride;
} p;

void main() {
  uint row = flat_group_index();
  if (row >= p.rows) return;
  uint base = row * p.x_stride;
  float sum_sq = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) {
    float v = x[base + i];
    sum_sq += v * v;
  }
  float scale = inversesqrt(workgroup_sum(sum_sq) / float(p.n) + p.eps);
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) {
    out_[row * p.out_stride + i] = x[base + i] * scale * weight[i];
  }
}
