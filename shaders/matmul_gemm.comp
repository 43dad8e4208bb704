#version 450
// Prefill matmul: y (T, N) = x (T, K) · W^T (+ bias) for many tokens. Each workgroup computes
// a BM x BN tile of y (BM rows of x, BN rows of W), stepping through K in BK slices that it
// stages in shared memory (gemm_slice.glsl); W slices are decoded to float32 a whole unit at a
// time (weight_blocks.glsl; BK is a multiple of UNIT), so each block is decoded once per tile. Each
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

void store_x(uint m, uint kk, float v) { x_tile[kk * BM + m] = v; }
void store_w(uint c, uint kk, float v) { w_tile[kk * BN + c] = v; }
#include "gemm_slice.glsl"

void main() {
  init_weight_loads();
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, BM, tile)) return;
  uint tid = gl_LocalInvocationID.x;
  uint tx = tid % (BN / TN), ty = tid / (BN / TN);
  uint col0 = n_tile * BN;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u;
  float acc[TM * TN];
  [[unroll]] for (uint i = 0; i < TM * TN; ++i) acc[i] = 0.0;

  uint k0 = 0u;
  do {
    stage_gemm_slice(tile, k0, col0, aligned16);
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
