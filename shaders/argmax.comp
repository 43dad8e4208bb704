#version 450
// out[row_base + r] = argmax of x[r, :], ties to the lowest index, NaN never winning. One
// workgroup per row: a strided scan per invocation, then a tree over shared memory. x is
// (rows, n); out is (row_base + rows).
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { uint out_[]; };

layout(push_constant) uniform Push {
  uint n;
  uint rows;
  uint row_base;
} p;

const uint kMaxWorkgroup = 1024;
shared float best_value[kMaxWorkgroup];
shared uint best_index[kMaxWorkgroup];

bool beats(float a, uint ia, float b, uint ib) { return a > b || (a == b && ia < ib); }

void main() {
  uint row = flat_group_index();
  if (row >= p.rows) return;
  uint lid = gl_LocalInvocationID.x;
  uint base = row * p.n;
  float value = -1.0 / 0.0;
  uint index = 0xffffffffu;
  for (uint i = lid; i < p.n; i += gl_WorkGroupSize.x) {
    float v = x[base + i];
    if (beats(v, i, value, index)) {
      value = v;
      index = i;
    }
  }
  best_value[lid] = value;
  best_index[lid] = index;
  barrier();
  for (uint half_ = gl_WorkGroupSize.x / 2; half_ > 0; half_ /= 2) {
    if (lid < half_ && beats(best_value[lid + half_], best_index[lid + half_], best_value[lid], best_index[lid])) {
      best_value[lid] = best_value[lid + half_];
      best_index[lid] = best_index[lid + half_];
    }
    barrier();
  }
  if (lid == 0) out_[p.row_base + row] = best_index[0] == 0xffffffffu ? 0 : best_index[0];
}
