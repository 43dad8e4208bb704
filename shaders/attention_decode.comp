#version 450
// Flash-decoding, pass 1: one workgroup per (split s, query head h, token t) scores the keys
// [s*split_len, (s+1)*split_len) that the query sees and writes an unnormalized partial
// result: acc (HEAD_DIM_V) = sum_j exp(score_j - m) v_j, with m = max score and
// l = sum_j exp(score_j - m). attention_combine.comp merges the splits.
// partial is laid out as acc[(t, h, s), HEAD_DIM_V] followed by ml[(t, h, s), 2].
// ONE_PASS (one split covers every key): the workgroup merges the sink logit and normalises as
// attention_combine.comp would, with the same float operations, and writes out (T, n_head,
// HEAD_DIM_V) itself, so a short context takes one dispatch and no barrier.
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"
#include "attention_params.glsl"

layout(constant_id = 3) const uint SPLIT_MAX = 256;  // split_len <= SPLIT_MAX
layout(constant_id = 4) const bool ONE_PASS = false;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer Positions { uint positions[]; };
layout(std430, binding = 2) readonly buffer KCache { KV_TYPE k_cache[]; };
layout(std430, binding = 3) readonly buffer VCache { KV_TYPE v_cache[]; };
layout(std430, binding = 4) writeonly buffer Partial { float partial[]; };  // ONE_PASS: out
layout(std430, binding = 5) readonly buffer Sinks { float sinks[]; };       // ONE_PASS only

shared float q_s[HEAD_DIM_K];
shared float score_s[SPLIT_MAX];

void main() {
  uint split = gl_WorkGroupID.x;
  uint h = gl_WorkGroupID.y;
  uint t = gl_WorkGroupID.z;
  uint tid = gl_LocalInvocationID.x;
  uint pos = positions[t];
  uint first = max(split * p.split_len, visible_first(pos));
  uint end = min(split * p.split_len + p.split_len, visible_end(pos));
  uint count = end > first ? end - first : 0u;
  uint kv_row0 = kv_head_of(h) * p.max_ctx + first;

  uint q_base = (t * p.n_head + h) * HEAD_DIM_K;
  for (uint d = tid; d < HEAD_DIM_K; d += gl_WorkGroupSize.x) q_s[d] = q[q_base + d] * p.scale;
  barrier();

  // One subgroup per key: lanes stride over the head dim, so K rows are read contiguously.
  for (uint j = gl_SubgroupID; j < count; j += gl_NumSubgroups) {
    uint row = (kv_row0 + j) * HEAD_DIM_K;
    float s = 0.0;
    for (uint d = gl_SubgroupInvocationID; d < HEAD_DIM_K; d += gl_SubgroupSize) s += q_s[d] * float(k_cache[row + d]);
    s = subgroupAdd(s);
    if (subgroupElect()) score_s[j] = s;
  }
  barrier();

  float m = kNegInf;
  for (uint j = tid; j < count; j += gl_WorkGroupSize.x) m = max(m, score_s[j]);
  m = workgroup_max(m);
  float l = 0.0;
  for (uint j = tid; j < count; j += gl_WorkGroupSize.x) {
    float e = exp(score_s[j] - m);
    score_s[j] = e;
    l += e;
  }
  l = workgroup_sum(l);
  barrier();

  if (ONE_PASS) {
    // attention_combine.comp's merge of this one split, operation for operation.
    const uint th = t * p.n_head + h;
    const float sink = p.has_sinks != 0u ? sinks[h] : kNegInf;
    const float big = max(sink, m);
    float total = big == kNegInf ? 0.0 : exp(sink - big);
    if (m != kNegInf) total += l * exp(m - big);
    const float inv = total > 0.0 ? 1.0 / total : 0.0;
    for (uint d = tid; d < HEAD_DIM_V; d += gl_WorkGroupSize.x) {
      float acc = 0.0;
      for (uint j = 0; j < count; ++j) acc += score_s[j] * float(v_cache[(kv_row0 + j) * HEAD_DIM_V + d]);
      float merged = 0.0;
      if (m != kNegInf) merged += acc * exp(m - big);
      partial[th * HEAD_DIM_V + d] = merged * inv;
    }
    return;
  }
  uint slot = (t * p.n_head + h) * p.n_splits + split;
  for (uint d = tid; d < HEAD_DIM_V; d += gl_WorkGroupSize.x) {
    float acc = 0.0;
    for (uint j = 0; j < count; ++j) acc += score_s[j] * float(v_cache[(kv_row0 + j) * HEAD_DIM_V + d]);
    partial[slot * HEAD_DIM_V + d] = acc;
  }
  if (tid == 0u) {
    uint ml = p.tokens * p.n_head * p.n_splits * HEAD_DIM_V + slot * 2u;
    partial[ml] = m;
    partial[ml + 1u] = l;
  }
}
