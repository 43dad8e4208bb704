#version 450
// out[t, :] = table[ids[t], :] for the ids inside this dispatch's row block
// [row_begin, row_begin + row_count); ids >= n_vocab give zeros (written by the dispatch with
// zero_invalid set). One workgroup per token. ids is (T); the bound table block is
// (row_count, H) in the variant's storage type (F32, F16 or BF16); out is (T, H) float.
#include "compute_common.glsl"

#if defined(TABLE_F32)
layout(std430, binding = 0) readonly buffer Table { float table[]; };
float load(uint i) { return table[i]; }
#elif defined(TABLE_F16)
layout(std430, binding = 0) readonly buffer Table { float16_t table[]; };
float load(uint i) { return float(table[i]); }
#elif defined(TABLE_BF16)
layout(std430, binding = 0) readonly buffer Table { uint16_t table[]; };
float load(uint i) { return uintBitsToFloat(uint(table[i]) << 16); }
#else
#error "embedding needs TABLE_F32, TABLE_F16 or TABLE_BF16"
#endif
layout(std430, binding = 1) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n_tokens;
  uint hidden;
  uint n_vocab;
  uint row_begin;
  uint row_count;
  uint zero_invalid;
} p;

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  uint id = ids[t];
  uint to = t * p.hidden;
  if (id >= p.row_begin && id - p.row_begin < p.row_count) {
    uint from = (id - p.row_begin) * p.hidden;
    for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) out_[to + h] = load(from + h);
  } else if (id >= p.n_vocab && p.zero_invalid != 0) {
    for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) out_[to + h] = 0.0;
  }
}
