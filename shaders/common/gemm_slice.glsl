// One K slice of a GEMM tile into shared memory, for matmul_gemm.comp and
// matmul_gemm_coopmat.comp: x at [m][kk] for the tile's rows m < BM and k0 + kk < K (zeros
// past the tile's rows and past K), and W's rows col0 + c, c < BN, decoded a unit at a time
// (weight_blocks.glsl; columns past N repeat the last row, whose outputs are never stored).
// The including shader declares BM, BN and BK (a multiple of UNIT, or a divisor of it) and the
// stores, which decide the layout:
//   void store_x(uint m, uint kk, float v);
//   void store_w(uint c, uint kk, float v);
// An invocation decodes a whole unit and stores SPAN of its elements: all of them, or, where
// a unit is deeper than the slice (Q6_K's 128 elements in 64-deep slices), the slice's part,
// so such a unit is decoded once per slice it spans.
//
// Loops test at the bottom, where their first pass is known to have work (K > 0, BM * BK is at
// least the workgroup size, BK > 0), and quantized rows take one path: a CPU driver runs a
// top-tested loop's body once more with every lane masked off, and both sides of a branch,
// each at full cost.

const uint SPAN = UNIT < BK ? UNIT : BK;
const uint SPANS = BK / SPAN;  // spans per row of a slice

void stage_gemm_slice(RowTile tile, uint k0, uint col0, bool aligned16) {
  uint i = gl_LocalInvocationID.x;
  do {
    uint m = i / BK, kk = i % BK;
    bool inside = m < tile.row_count && k0 + kk < p.k;
    // x_row_start, not a table in shared memory: a tile's two slices already fill what small
    // devices have.
    float v = x[inside ? x_row_start(tile.row_begin + min(m, tile.row_count - 1u)) + k0 + kk : p.x_offset];
    store_x(m, kk, inside ? v : 0.0);
    i += gl_WorkGroupSize.x;
  } while (i < BM * BK);
  i = gl_LocalInvocationID.x;
  if (i < BN * SPANS) do {
    uint c = i / SPANS, kk = (i % SPANS) * SPAN;
    uint u = (k0 + kk) / UNIT, first = (k0 + kk) % UNIT;  // the span is elements [first, first + SPAN) of unit u
    uint row_byte = tile.w_base + min(col0 + c, p.n - 1u) * p.row_bytes;
#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
    const bool whole_unit = u < p.k / UNIT;
#else
    const bool whole_unit = true;  // quantized rows are whole units: the tail path folds away
#endif
    if (whole_unit) {
      float w[UNIT];
      decode_unit(row_byte, u, aligned16, w);
      if (SPAN == UNIT) {
        [[unroll]] for (uint j = 0u; j < UNIT; ++j) store_w(c, kk + j, w[j]);
      } else {
        // Every element tested rather than w[first + j]: constant indices keep w in registers.
        [[unroll]] for (uint j = 0u; j < UNIT; ++j) {
          if (j >= first && j < first + SPAN) store_w(c, kk + j - first, w[j]);
        }
      }
    } else {
      // The float formats' K % UNIT tail (their units are never split: first is 0).
      for (uint j = 0u; j < SPAN; ++j) store_w(c, kk + j, k0 + kk + j < p.k ? weight_at(row_byte, k0 + kk + j) : 0.0);
    }
    i += gl_WorkGroupSize.x;
  } while (i < BN * SPANS);
}
