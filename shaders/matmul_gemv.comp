#version 450
// Decode matmul: y (T, N) = x (T, K) · W^T (+ bias) for a few tokens. Memory bound, so each
// workgroup owns ROWS rows of W; a subgroup takes one row at a time and its lanes take whole
// units of the row (a block, or a 32-element slice of a super-block: weight_blocks.glsl),
// decode each unit once with wide loads and apply it to up to MAX_TOKENS rows of x, then
// reduce across the subgroup. Each (row, token) sums its units in a fixed order, whatever
// the tile around it, so results do not depend on how rows were grouped.
// Weight format: weight_blocks.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
#include "compute_common.glsl"
#include "weight_blocks.glsl"
#include "matmul_common.glsl"

layout(constant_id = 1) const uint ROWS = 4;  // W rows per workgroup
// false: a subgroup takes one row at a time and its lanes take units of it, then reduce
// (GPUs: neighbouring lanes read neighbouring bytes, x comes from cache). true: the workgroup
// is one subgroup whose lanes take units of all ROWS rows at once, holding their x units in
// registers, so each x element is loaded once per ROWS rows (CPU drivers such as lavapipe load
// memory lane by lane, so loads are what costs).
layout(constant_id = 2) const bool X_IN_REGISTERS = false;
const uint MAX_TOKENS = 8;                     // x rows per tile

void store_row(RowTile tile, uint col, float acc[MAX_TOKENS]) {
  float b = bias_at(tile.expert, col);
  [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
    if (t < tile.row_count) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = acc[t] + b;
  }
}

void main() {
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, MAX_TOKENS, tile)) return;
  const uint units = p.k / UNIT;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u;
  const bool x_aligned = x_is_vec4_aligned();
  const uint x_row = p.x_offset + tile.row_begin * p.k;
  const uint lane = gl_SubgroupInvocationID, lanes = gl_SubgroupSize;

  if (X_IN_REGISTERS) {
    float acc[ROWS][MAX_TOKENS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[r][t] = 0.0;
    }
    for (uint u = lane; u < units; u += lanes) {
      float xs[MAX_TOKENS][UNIT];
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        if (t < tile.row_count) {
          uint xi = x_row + t * p.k + u * UNIT;
          if (x_aligned) {
            [[unroll]] for (uint j = 0; j < UNIT; j += 4u) {
              vec4 v = x4[(xi + j) >> 2];
              xs[t][j] = v.x;
              xs[t][j + 1u] = v.y;
              xs[t][j + 2u] = v.z;
              xs[t][j + 3u] = v.w;
            }
          } else {
            [[unroll]] for (uint j = 0; j < UNIT; ++j) xs[t][j] = x[xi + j];
          }
        }
      }
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        uint col = min(n_tile * ROWS + r, p.n - 1u);
        float w[UNIT];
        decode_unit(tile.w_base + col * p.row_bytes, u, aligned16, w);
        [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
          if (t < tile.row_count) {
            float s = 0.0;
            [[unroll]] for (uint j = 0; j < UNIT; ++j) s += w[j] * xs[t][j];
            acc[r][t] += s;
          }
        }
      }
    }
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      uint col = n_tile * ROWS + r;
      uint row_byte = tile.w_base + min(col, p.n - 1u) * p.row_bytes;
      for (uint kk = units * UNIT + lane; kk < p.k; kk += lanes) {
        float w = weight_at(row_byte, kk);
        [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
          if (t < tile.row_count) acc[r][t] += w * x[x_row + t * p.k + kk];
        }
      }
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[r][t] = subgroupAdd(acc[r][t]);
      if (subgroupElect() && col < p.n) store_row(tile, col, acc[r]);
    }
    return;
  }

  for (uint r = gl_SubgroupID; r < ROWS; r += gl_NumSubgroups) {
    uint col = n_tile * ROWS + r;
    if (col >= p.n) break;
    uint row_byte = tile.w_base + col * p.row_bytes;
    float acc[MAX_TOKENS];
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[t] = 0.0;
    for (uint u = lane; u < units; u += lanes) {
      float w[UNIT];
      decode_unit(row_byte, u, aligned16, w);
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        if (t < tile.row_count) acc[t] += unit_dot(w, x_row + t * p.k + u * UNIT, x_aligned);
      }
    }
    // Float formats: the K % UNIT elements after the last whole unit.
    for (uint kk = units * UNIT + lane; kk < p.k; kk += lanes) {
      float w = weight_at(row_byte, kk);
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        if (t < tile.row_count) acc[t] += w * x[x_row + t * p.k + kk];
      }
    }
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[t] = subgroupAdd(acc[t]);
    if (subgroupElect()) store_row(tile, col, acc);
  }
}
