#version 450
// Prefill matmul: y (T, N) = x (T, K) · W^T (+ bias) for many tokens. Each workgroup computes
// a BM x BN tile of y (BM rows of x, BN rows of W), stepping through K in BK slices that it
// stages in shared memory; W slices are decoded to float32 a whole unit at a time
// (weight_blocks.glsl; BK is a multiple of UNIT), so each block is decoded once per tile. Each
// invocation accumulates a TM x TN block of the tile, strided so reads of shared memory by
// neighbouring invocations are contiguous.
// Weight format: weight_blocks.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
#include "compute_common.glsl"
#include "weight_blocks.glsl"
#include "matmul_common.glsl"

layout(constant_id = 1) const uint BM = 64;  // x rows per tile
layout(constant_id = 2) const uint BN = 64;  // W rows per tile
layout(constant_id = 3) const uint BK = 32;  // K slice staged per step, a multiple of UNIT
const uint TM = 4;
const uint TN = 4;  // the workgroup size must be (BM / TM) * (BN / TN)

shared float x_tile[BK * BM];  // [kk][m]
shared float w_tile[BK * BN];  // [kk][n]

void main() {
  init_weight_loads();
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, BM, tile)) return;
  uint tid = gl_LocalInvocationID.x;
  uint tx = tid % (BN / TN), ty = tid / (BN / TN);
  uint col0 = n_tile * BN;
  const uint units = p.k / UNIT;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u;
  float acc[TM * TN];
  [[unroll]] for (uint i = 0; i < TM * TN; ++i) acc[i] = 0.0;

  // Loops test at the bottom, where their first pass is known to have work (K > 0, BM * BK
  // is at least the workgroup size, BK > 0), and quantized rows take one path: a CPU driver
  // runs a top-tested loop's body once more with every lane masked off, and both sides of a
  // branch, each at full cost.
  uint k0 = 0u;
  do {
    uint i = tid;
    do {
      uint m = i / BK, kk = i % BK;
      bool inside = m < tile.row_count && k0 + kk < p.k;
      // x_row_start, not a table in shared memory: a tile's two slices already fill what
      // small devices have.
      float v = x[inside ? x_row_start(tile.row_begin + min(m, tile.row_count - 1u)) + k0 + kk : p.x_offset];
      x_tile[kk * BM + m] = inside ? v : 0.0;
      i += gl_WorkGroupSize.x;
    } while (i < BM * BK);
    const uint units_per_slice = BK / UNIT;
    i = tid;
    if (i < BN * units_per_slice) do {
      uint c = i / units_per_slice, kk = (i % units_per_slice) * UNIT;
      uint u = (k0 + kk) / UNIT;
      // Columns past the last row decode the last row instead; their outputs are not stored.
      uint row_byte = tile.w_base + min(col0 + c, p.n - 1u) * p.row_bytes;
#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
      const bool whole_unit = u < units;
#else
      const bool whole_unit = true;  // quantized rows are whole units: the tail path folds away
#endif
      if (whole_unit) {
        float w[UNIT];
        decode_unit(row_byte, u, aligned16, w);
        [[unroll]] for (uint j = 0u; j < UNIT; ++j) w_tile[(kk + j) * BN + c] = w[j];
      } else {
        // The float formats' K % UNIT tail.
        for (uint j = 0u; j < UNIT; ++j) w_tile[(kk + j) * BN + c] = k0 + kk + j < p.k ? weight_at(row_byte, k0 + kk + j) : 0.0;
      }
      i += gl_WorkGroupSize.x;
    } while (i < BN * units_per_slice);
    barrier();
    uint kk = 0u;
    do {
      float a[TM], b[TN];
      [[unroll]] for (uint i = 0; i < TM; ++i) a[i] = x_tile[kk * BM + ty + i * (BM / TM)];
      [[unroll]] for (uint j = 0; j < TN; ++j) b[j] = w_tile[kk * BN + tx + j * (BN / TN)];
      [[unroll]] for (uint i = 0; i < TM; ++i) {
        [[unroll]] for (uint j = 0; j < TN; ++j) acc[i * TN + j] += a[i] * b[j];
      }
      ++kk;
    } while (kk < BK);
    barrier();
    k0 += BK;
  } while (k0 < p.k);

  [[unroll]] for (uint i = 0; i < TM; ++i) {
    uint m = ty + i * (BM / TM);
    if (m >= tile.row_count) continue;
    [[unroll]] for (uint j = 0; j < TN; ++j) {
      uint col = col0 + tx + j * (BN / TN);
      if (col < p.n) y[p.y_offset + (tile.row_begin + m) * p.y_stride + col] = acc[i * TN + j] + bias_at(tile.expert, col);
    }
  }
}
