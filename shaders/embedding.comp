#version 450
// out[t, :] = table[ids[t], :] for the ids inside this dispatch's row block
// [row_begin, row_begin + row_count); ids >= n_vocab give zeros (written by the dispatch with
// zero_invalid set). One workgroup per token. ids is (T); the bound table block is
// (row_count, H) as GGUF stores it, row_bytes per row, in the variant's weight format
// (weight_formats.glsl, the matmul's decoders); out is (T, H) float.
#include "compute_common.glsl"
#include "weight_formats.glsl"

layout(std430, binding = 1) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };

layout(push_constant) uniform Push {
  uint n_tokens;
  uint hidden;
  uint n_vocab;
  uint row_begin;
  uint row_count;
  uint row_bytes;
  uint zero_invalid;
} p;

void main() {
  uint t = flat_group_index();
  if (t >= p.n_tokens) return;
  uint id = ids[t];
  uint to = t * p.hidden;
  if (id >= p.row_begin && id - p.row_begin < p.row_count) {
    uint row_byte = (id - p.row_begin) * p.row_bytes;
    for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) out_[to + h] = weight_at(row_byte, h);
  } else if (id >= p.n_vocab && p.zero_invalid != 0) {
    for (uint h = gl_LocalInvocationID.x; h < p.hidden; h += gl_WorkGroupSize.x) out_[to + h] = 0.0;
  }
}
