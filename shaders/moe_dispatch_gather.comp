#version 450
// x_grouped[r, :] = x[sources[r] / k, :], zeros where sources[r] is no entry. One workgroup
// per grouped row. x is (T, H); sources is (T * k); x_grouped is (T * k, H).
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Sources { uint sources[]; };
layout(std430, binding = 2) writeonly buffer Grouped { float grouped[]; };

layout(push_constant) uniform Push {
  uint n_rows;
  uint hidden;
  uint k;
} p;

void main() {
  uint r = flat_group_index();
  if (r >= p.n_rows) return;
  uint src = sources[r];
  bool valid = src < p.n_rows;
  uint from = valid ? (src / p.k) * p.hidden : 0;
  uint to = r * p.hidden;
  for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) {
    grouped[to + h] = valid ? x[from + h] : 0.0;
  }
}
