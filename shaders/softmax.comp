#version 450
// Numerically stable softmax over rows: out[r, i] = exp(x[r, i] - max) / sum. One workgroup
// per row; x and out are (rows, n).
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n;
  uint rows;
} p;

void main() {
  uint row = flat_group_index();
  if (row >= p.rows) return;
  uint base = row * p.n;
  float m = -1.0 / 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) m = max(m, x[base + i]);
  m = workgroup_max(m);
  float s = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) s += exp(x[base + i] - m);
  s = workgroup_sum(s);
  float inv = 1.0 / s;
  for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) out_[base + i] = exp(x[base + i] - m) * inv;
}
