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

layout(constant_id = 1) const uint ROWS = 4;  // W rows per workgroup; REGISTER_ROWS when X_IN_REGISTERS
// false: a subgroup takes one row at a time and its lanes take units of it, then reduce
// (GPUs: neighbouring lanes read neighbouring bytes, x comes from cache). true: the workgroup
// is one subgroup whose lanes take units of REGISTER_ROWS rows at once, holding their x unit
// in registers, so each x element is loaded once per REGISTER_ROWS rows (CPU drivers such as
// lavapipe load memory lane by lane, so loads are what costs).
layout(constant_id = 2) const bool X_IN_REGISTERS = false;
const uint MAX_TOKENS = 8;                     // x rows per tile
// Rows one subgroup computes at once when X_IN_REGISTERS. A constant, not a specialization
// constant, so that glslc unrolls the loops over it and acc stays in registers (an array
// indexed by a loop counter would live in memory, paid lane by lane on a CPU driver).
const uint REGISTER_ROWS = 8;

void store_row(RowTile tile, uint col, float acc[MAX_TOKENS]) {
  float b = bias_at(tile.expert, col);
  [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
    if (t < tile.row_count) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = acc[t] + b;
  }
}

void main() {
  init_weight_loads();
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
    // Token by token: a lane loads each x unit once for all REGISTER_ROWS rows. Decoding
    // again per token costs less here than holding MAX_TOKENS x units in registers.
    for (uint t = 0; t < tile.row_count; ++t) {
      const uint xt = x_row + t * p.k;
      float acc[REGISTER_ROWS];
      [[unroll]] for (uint r = 0; r < REGISTER_ROWS; ++r) acc[r] = 0.0;
      for (uint u = lane; u < units; u += lanes) {
        float xs[UNIT];
        const uint xi = xt + u * UNIT;
        if (x_aligned) {
          [[unroll]] for (uint j = 0; j < UNIT; j += 4u) {
            vec4 v = x4[(xi + j) >> 2];
            xs[j] = v.x;
            xs[j + 1u] = v.y;
            xs[j + 2u] = v.z;
            xs[j + 3u] = v.w;
          }
        } else {
          [[unroll]] for (uint j = 0; j < UNIT; ++j) xs[j] = x[xi + j];
        }
        [[unroll]] for (uint r = 0; r < REGISTER_ROWS; ++r) {
          float w[UNIT];
          decode_unit(tile.w_base + min(n_tile * REGISTER_ROWS + r, p.n - 1u) * p.row_bytes, u, aligned16, w);
          float s = 0.0;
          [[unroll]] for (uint j = 0; j < UNIT; ++j) s += w[j] * xs[j];
          acc[r] += s;
        }
      }
      [[unroll]] for (uint r = 0; r < REGISTER_ROWS; ++r) {
        uint col = n_tile * REGISTER_ROWS + r;
        uint row_byte = tile.w_base + min(col, p.n - 1u) * p.row_bytes;
        // Float formats: the K % UNIT elements after the last whole unit.
        for (uint kk = units * UNIT + lane; kk < p.k; kk += lanes) acc[r] += weight_at(row_byte, kk) * x[xt + kk];
        float sum = subgroupAdd(acc[r]);
        if (subgroupElect() && col < p.n) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = sum + bias_at(tile.expert, col);
      }
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
