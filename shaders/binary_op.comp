#version 450
// out[i] = a[i] OP b[i % b_len] for i < n. b_len < n broadcasts a row (e.g. adding a bias to
// every token). OP is chosen per variant (binary_op.variants.cmake).
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n;
  uint b_len;
} p;

void main() {
  uint i = flat_invocation_index();
  if (i >= p.n) return;
  float x = a[i];
  float y = b[i % p.b_len];
#if defined(OP_ADD)
  out_[i] = x + y;
#elif defined(OP_MUL)
  out_[i] = x * y;
#else
#error "binary_op needs OP_ADD or OP_MUL"
#endif
}
