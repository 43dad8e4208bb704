#version 450
// Qwen2-MoE's gated shared expert: out[t, :] += sigmoid(gate[t]) * shared[t, :]. One
// workgroup per token. gate is (T, 1); shared and out are (T, H).
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Shared { float shared_[]; };
layout(std430, binding = 2) buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n_tokens;
  uint hidden;
} p;

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  float s = 1.0 / (1.0 + exp(-gate[t]));
  for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) {
    uint i = t * p.hidden + h;
    out_[i] += s * shared_[i];
  }
}
