#version 450
// Decode matmul: y (T, N) = x (T, K) · W^T (+ bias) for a few tokens. Memory bound: lanes
// take whole units of a row (a block, or the part of a super-block whose bytes belong
// together: weight_blocks.glsl) and decode each once. Each (row, token) sums its units in a
// fixed order whatever the tile around it, so results do not depend on how rows were grouped.
//
// Two layouts, one variant each (matmul_gemv.variants.cmake):
// - default, for GPUs: a workgroup owns ROWS rows; a subgroup takes one row at a time, its
//   lanes take units and apply each to up to MAX_TOKENS rows of x (which comes from cache),
//   then reduce across the subgroup.
// - ROWS_PER_SUBGROUP, for CPU drivers such as lavapipe, which pay every load lane by lane and
//   per component whatever its width: a workgroup is one subgroup taking ROWS rows at once,
//   token by token; a lane loads its x unit once for all ROWS rows and reads weights and x
//   as 64-bit words (WIDE_LOADS in weight_blocks.glsl), half the loads of 32-bit ones.
// Weight format: weight_blocks.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
#include "compute_common.glsl"
#include "weight_blocks.glsl"
#include "matmul_common.glsl"

const uint MAX_TOKENS = 8;  // x rows per tile

#if defined(ROWS_PER_SUBGROUP)
// A constant, not a specialization constant, so that glslc unrolls the loops over it and the
// accumulators stay in registers (an array indexed by a loop counter would live in memory).
const uint ROWS = 8;
layout(std430, binding = 1) readonly buffer XWords { uint64_t x_u64[]; };

// x[xi .. xi + UNIT) into xs, as 64-bit pairs when xi is even.
void load_x_unit(uint xi, out float xs[UNIT]) {
  if ((xi & 1u) == 0u) {
    [[unroll]] for (uint j = 0; j < UNIT; j += 2u) {
      uvec2 pair = unpack32(x_u64[(xi + j) >> 1]);
      xs[j] = uintBitsToFloat(pair.x);
      xs[j + 1u] = uintBitsToFloat(pair.y);
    }
  } else {
    [[unroll]] for (uint j = 0; j < UNIT; ++j) xs[j] = x[xi + j];
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
  const uint lane = gl_SubgroupInvocationID, lanes = gl_SubgroupSize;
  // Token by token: decoding again per token costs less here than holding MAX_TOKENS x units.
  for (uint t = 0; t < tile.row_count; ++t) {
    const uint xt = p.x_offset + (tile.row_begin + t) * p.k;
    float acc[ROWS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r) acc[r] = 0.0;
    for (uint u = lane; u < units; u += lanes) {
      float xs[UNIT];
      load_x_unit(xt + u * UNIT, xs);
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        float w[UNIT];
        decode_unit(tile.w_base + min(n_tile * ROWS + r, p.n - 1u) * p.row_bytes, u, aligned16, w);
        float s = 0.0;
        [[unroll]] for (uint j = 0; j < UNIT; ++j) s += w[j] * xs[j];
        acc[r] += s;
      }
    }
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      uint col = n_tile * ROWS + r;
      uint row_byte = tile.w_base + min(col, p.n - 1u) * p.row_bytes;
      // Float formats: the K % UNIT elements after the last whole unit.
      for (uint kk = units * UNIT + lane; kk < p.k; kk += lanes) acc[r] += weight_at(row_byte, kk) * x[xt + kk];
      float sum = subgroupAdd(acc[r]);
      if (subgroupElect() && col < p.n) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = sum + bias_at(tile.expert, col);
    }
  }
}

#else
layout(constant_id = 1) const uint ROWS = 4;  // W rows per workgroup

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
    float b = bias_at(tile.expert, col);
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
      float sum = subgroupAdd(acc[t]);
      if (subgroupElect() && t < tile.row_count) y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = sum + b;
    }
  }
}
#endif
