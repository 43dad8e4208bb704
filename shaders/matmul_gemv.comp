#version 450
// Decode matmul: y (T, N) = x (T, K) · W^T (+ bias) for a few tokens. Memory bound, so each
// workgroup owns ROWS rows of W; a subgroup takes one row at a time, decodes each weight once
// in registers and applies it to up to MAX_TOKENS rows of x, then reduces across the subgroup.
// Weight format: weight_formats.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
#include "compute_common.glsl"
#include "weight_formats.glsl"
#include "matmul_common.glsl"

layout(constant_id = 1) const uint ROWS = 4;  // W rows per workgroup
const uint MAX_TOKENS = 8;                     // x rows per tile

void main() {
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, MAX_TOKENS, tile)) return;
  for (uint r = gl_SubgroupID; r < ROWS; r += gl_NumSubgroups) {
    uint col = n_tile * ROWS + r;
    if (col >= p.n) break;
    uint row_byte = tile.w_base + col * p.row_bytes;
    float acc[MAX_TOKENS];
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[t] = 0.0;
    for (uint kk = gl_SubgroupInvocationID; kk < p.k; kk += gl_SubgroupSize) {
      float w = weight_at(row_byte, kk);
      uint xi = p.x_offset + tile.row_begin * p.k + kk;
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        if (t < tile.row_count) acc[t] += w * x[xi + t * p.k];
      }
    }
    float b = bias_at(tile.expert, col);
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
      float sum = subgroupAdd(acc[t]);
      if (subgroupElect() && t < tile.row_count) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = sum + b;
    }
  }
}
