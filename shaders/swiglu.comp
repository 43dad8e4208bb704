#version 450
// Gated activations over n elements: out[i] = act(gate[i], up[i]); gate, up, out are (R, F)
// flattened. Variants (swiglu.variants.cmake): SwiGLU, and gpt-oss's clamped SwiGLU
// (glu.glsl). out may alias gate or up.
#include "compute_common.glsl"
#include "glu.glsl"

layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n;
  float alpha;  // clamped variant only
  float limit;  // clamped variant only
} p;

void main() {
  uint i = flat_invocation_index();
  if (i >= p.n) return;
  float g = gate[i];
  float u = up[i];
#if defined(SWIGLU)
  out_[i] = swiglu(g, u);
#elif defined(CLAMPED_SWIGLU)
  out_[i] = clamped_swiglu(g, u, p.alpha, p.limit);
#else
#error "swiglu needs SWIGLU or CLAMPED_SWIGLU"
#endif
}
