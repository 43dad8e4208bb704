#version 450
// Flash-decoding, pass 2: one workgroup per (token t, head h) merges the splits of
// attention_decode.comp (same partial layout) and the optional sink logit:
//   M = max(m_s, sink), L = sum_s l_s exp(m_s - M) + exp(sink - M),
//   out (T, n_head, HEAD_DIM_V) = sum_s acc_s exp(m_s - M) / L.
#include "compute_common.glsl"
#include "attention_params.glsl"

layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) readonly buffer Sinks { float sinks[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

void main() {
  uint th = flat_group_index();
  if (th >= p.tokens * p.n_head) return;
  uint h = th % p.n_head;
  uint ml = p.tokens * p.n_head * p.n_splits * HEAD_DIM_V + th * p.n_splits * 2u;
  float sink = kNegInf;
  if (p.has_sinks != 0u) sink = sinks[h];
  float big = sink;
  for (uint s = 0; s < p.n_splits; ++s) big = max(big, partial[ml + 2u * s]);
  float total = big == kNegInf ? 0.0 : exp(sink - big);
  for (uint s = 0; s < p.n_splits; ++s) {
    float m = partial[ml + 2u * s];
    if (m != kNegInf) total += partial[ml + 2u * s + 1u] * exp(m - big);
  }
  float inv = total > 0.0 ? 1.0 / total : 0.0;
  for (uint d = gl_LocalInvocationID.x; d < HEAD_DIM_V; d += gl_WorkGroupSize.x) {
    float acc = 0.0;
    for (uint s = 0; s < p.n_splits; ++s) {
      float m = partial[ml + 2u * s];
      if (m != kNegInf) acc += partial[(th * p.n_splits + s) * HEAD_DIM_V + d] * exp(m - big);
    }
    out_[th * HEAD_DIM_V + d] = acc * inv;
  }
}
