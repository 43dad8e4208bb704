#version 450
// Tiled attention with online softmax (flash attention) for many queries. One workgroup per
// (tile of BR queries, query head h). Key tiles of BC rows are staged in shared memory, K
// first, then V in the same space; each query row is owned by ROW_THREADS invocations that
// split its HEAD_DIM_V accumulators. Per row, the running max m and sum l are rescaled as
// each tile arrives:
//   m' = max(m, max_c s_c), acc = acc exp(m - m') + sum_c exp(s_c - m') v_c, same for l.
// A sink logit joins the denominator at the end. Shared memory: BR*HEAD_DIM_K +
// BC*max(HEAD_DIM_K, HEAD_DIM_V) + BR*BC floats + BR uints; the host checks the cap.
#include "compute_common.glsl"
#include "attention_params.glsl"

layout(constant_id = 3) const uint BR = 16;
layout(constant_id = 4) const uint BC = 16;

const uint ROW_THREADS = gl_WorkGroupSize.x / BR;
const uint ACC_PER_THREAD = (HEAD_DIM_V + ROW_THREADS - 1u) / ROW_THREADS;
const uint KV_ROW_MAX = HEAD_DIM_K > HEAD_DIM_V ? HEAD_DIM_K : HEAD_DIM_V;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer Positions { uint positions[]; };
layout(std430, binding = 2) readonly buffer KCache { KV_TYPE k_cache[]; };
layout(std430, binding = 3) readonly buffer VCache { KV_TYPE v_cache[]; };
layout(std430, binding = 4) readonly buffer Sinks { float sinks[]; };
layout(std430, binding = 5) writeonly buffer Out { float out_[]; };

shared float q_s[BR * HEAD_DIM_K];
shared float kv_s[BC * KV_ROW_MAX];
shared float score_s[BR * BC];
shared uint pos_s[BR];

void main() {
  uint t0 = gl_WorkGroupID.x * BR;
  uint h = gl_WorkGroupID.y;
  uint tid = gl_LocalInvocationID.x;
  uint rows = min(BR, p.tokens - t0);
  uint kv_row0 = kv_head_of(h) * p.max_ctx;

  for (uint i = tid; i < BR * HEAD_DIM_K; i += gl_WorkGroupSize.x) {
    uint r = i / HEAD_DIM_K;
    float v = 0.0;
    if (r < rows) v = q[((t0 + r) * p.n_head + h) * HEAD_DIM_K + i % HEAD_DIM_K] * p.scale;
    q_s[i] = v;
  }
  for (uint r = tid; r < BR; r += gl_WorkGroupSize.x) {
    uint pos = 0u;
    if (r < rows) pos = positions[t0 + r];
    pos_s[r] = pos;
  }
  barrier();

  // Keys any row of the tile sees; every invocation computes the same range.
  uint first = 0xffffffffu, end = 0u;
  for (uint r = 0; r < rows; ++r) {
    first = min(first, visible_first(pos_s[r]));
    end = max(end, visible_end(pos_s[r]));
  }

  uint row = tid / ROW_THREADS;
  uint lane = tid % ROW_THREADS;
  float m = kNegInf;
  float l = 0.0;
  float acc[ACC_PER_THREAD];
  [[unroll]] for (uint k = 0; k < ACC_PER_THREAD; ++k) acc[k] = 0.0;

  for (uint c0 = first; c0 < end; c0 += BC) {
    for (uint i = tid; i < BC * HEAD_DIM_K; i += gl_WorkGroupSize.x) {
      uint key = c0 + i / HEAD_DIM_K;
      float v = 0.0;
      if (key < end) v = float(k_cache[(kv_row0 + key) * HEAD_DIM_K + i % HEAD_DIM_K]);
      kv_s[i] = v;
    }
    barrier();
    for (uint i = tid; i < BR * BC; i += gl_WorkGroupSize.x) {
      uint r = i / BC;
      uint key = c0 + i % BC;
      float s = kNegInf;
      if (r < rows && key < visible_end(pos_s[r]) && key >= visible_first(pos_s[r])) {
        s = 0.0;
        uint qi = r * HEAD_DIM_K, ki = (i % BC) * HEAD_DIM_K;
        for (uint d = 0; d < HEAD_DIM_K; ++d) s += q_s[qi + d] * kv_s[ki + d];
      }
      score_s[i] = s;
    }
    barrier();
    for (uint i = tid; i < BC * HEAD_DIM_V; i += gl_WorkGroupSize.x) {
      uint key = c0 + i / HEAD_DIM_V;
      float v = 0.0;
      if (key < end) v = float(v_cache[(kv_row0 + key) * HEAD_DIM_V + i % HEAD_DIM_V]);
      kv_s[i] = v;
    }
    barrier();
    if (row < rows) {
      float tile_max = kNegInf;
      for (uint c = 0; c < BC; ++c) tile_max = max(tile_max, score_s[row * BC + c]);
      float m_new = max(m, tile_max);
      if (m_new != kNegInf) {
        float alpha = exp(m - m_new);
        l *= alpha;
        [[unroll]] for (uint k = 0; k < ACC_PER_THREAD; ++k) acc[k] *= alpha;
        for (uint c = 0; c < BC; ++c) {
          float pc = exp(score_s[row * BC + c] - m_new);
          l += pc;
          [[unroll]] for (uint k = 0; k < ACC_PER_THREAD; ++k) {
            uint d = lane + k * ROW_THREADS;
            if (d < HEAD_DIM_V) acc[k] += pc * kv_s[c * HEAD_DIM_V + d];
          }
        }
        m = m_new;
      }
    }
    barrier();
  }

  if (row >= rows) return;
  float sink = kNegInf;
  if (p.has_sinks != 0u) sink = sinks[h];
  float big = max(m, sink);
  float scale_acc = big == kNegInf ? 0.0 : exp(m - big);
  float total = l * scale_acc + (big == kNegInf ? 0.0 : exp(sink - big));
  float inv = total > 0.0 ? scale_acc / total : 0.0;
  uint out_base = ((t0 + row) * p.n_head + h) * HEAD_DIM_V;
  [[unroll]] for (uint k = 0; k < ACC_PER_THREAD; ++k) {
    uint d = lane + k * ROW_THREADS;
    if (d < HEAD_DIM_V) out_[out_base + d] = acc[k] * inv;
  }
}
