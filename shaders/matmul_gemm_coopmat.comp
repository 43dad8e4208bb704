#version 450
// Prefill matmul on cooperative matrices (NVIDIA's tensor cores): y (T, N) = x (T, K) · W^T
// (+ bias), tiled as in matmul_gemm.comp: each workgroup computes a BM x BN tile of y, stepping
// through K in BK slices staged in shared memory (gemm_slice.glsl), each weight unit decoded
// once per tile (weight_blocks.glsl; Q6_K's once per half). The fragments hold half floats,
// so each float32 operand v is staged as two halves, hi = half(v) and lo = half(v - hi), both
// rounded to nearest even (f16_round.glsl), and x · w is taken as hi·hi + hi·lo + lo·hi:
// products of halves are exact and the sums float32, so the result is as close to the float32
// one as the scalar GEMM's (the lo·lo term and lo's own rounding are below float32's precision
// for operands in half's normal range; operands past half's range become infinities). The
// workgroup is four subgroups, 2 x 2 over the tile; each multiplies (FM x FK) · (FK x FN)
// fragments into CM x CN float32 accumulators.
//
// COOPMAT_NV: the fragments are GL_NV_cooperative_matrix types, FM x FN x FK one of the shapes
// the device lists. Without it, each lane computes its own elements of every fragment from the
// same staged tiles, so a device without cooperative matrices (lavapipe, in the tests) runs
// everything around the matrix operations: staging, offsets, strides and the epilogue.
// Weight format: weight_blocks.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
#if defined(COOPMAT_NV)
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#endif
#include "compute_common.glsl"
#include "f16_round.glsl"
#include "weight_blocks.glsl"
#include "matmul_common.glsl"

layout(constant_id = 1) const uint BM = 64;  // x rows per tile
layout(constant_id = 2) const uint BN = 64;  // W rows per tile
// K slice staged per step: a multiple of FK, and of UNIT or a divisor of it (Q6_K's 128-element
// units in 64-deep slices: each unit is then decoded once per slice it spans).
layout(constant_id = 3) const uint BK = 32;
layout(constant_id = 4) const uint FM = 16;  // fragment shape
layout(constant_id = 5) const uint FN = 16;
layout(constant_id = 6) const uint FK = 16;
// Invocations per subgroup; the workgroup size is 4 * SUBGROUP, and BM / 2 and BN / 2 are
// multiples of FM and FN.
layout(constant_id = 7) const uint SUBGROUP = 32;

const uint WM = BM / 2u, WN = BN / 2u;    // a subgroup's part of the tile
const uint CM = WM / FM, CN = WN / FN;    // its fragments
// Halves between staged rows: keeps each row 16-byte aligned, as fragment loads need, and
// moves neighbouring rows off the same banks.
const uint STRIDE = BK + 8u;

shared float16_t x_hi[BM * STRIDE];  // [m][kk]: A, row-major
shared float16_t x_lo[BM * STRIDE];
shared float16_t w_hi[BN * STRIDE];  // [n][kk]: B = W^T, column-major
shared float16_t w_lo[BN * STRIDE];
shared float out_frags[4u * FM * FN];  // each subgroup's fragment on its way to y, row-major

// v as hi + lo (see the top).
f16vec2 split(float v) {
  float16_t hi = uint16BitsToHalf(f32_to_f16_bits(v));
  return f16vec2(hi, uint16BitsToHalf(f32_to_f16_bits(v - float(hi))));
}

void store_x(uint m, uint kk, float v) {
  f16vec2 parts = split(v);
  x_hi[m * STRIDE + kk] = parts.x;
  x_lo[m * STRIDE + kk] = parts.y;
}

void store_w(uint c, uint kk, float v) {
  f16vec2 parts = split(v);
  w_hi[c * STRIDE + kk] = parts.x;
  w_lo[c * STRIDE + kk] = parts.y;
}
#include "gemm_slice.glsl"

void main() {
  init_weight_loads();
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, BM, tile)) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint sg = tid / SUBGROUP, lane = tid % SUBGROUP;
  const uint sg_m = (sg / 2u) * WM, sg_n = (sg % 2u) * WN;  // the subgroup's corner of the tile
  const uint col0 = n_tile * BN;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u;
#if defined(COOPMAT_NV)
  fcoopmatNV<32, gl_ScopeSubgroup, FM, FN> acc[CM * CN];
  [[unroll]] for (uint f = 0u; f < CM * CN; ++f) acc[f] = fcoopmatNV<32, gl_ScopeSubgroup, FM, FN>(0.0);
#else
  // Lane `lane` holds elements lane + SUBGROUP * e of each fragment (row-major, FN wide).
  const uint PER_LANE = FM * FN / SUBGROUP;
  float acc[CM * CN * PER_LANE];
  [[unroll]] for (uint i = 0u; i < CM * CN * PER_LANE; ++i) acc[i] = 0.0;
#endif

  uint k0 = 0u;
  do {
    stage_gemm_slice(tile, k0, col0, aligned16);
    barrier();
    for (uint kf = 0u; kf < BK; kf += FK) {
#if defined(COOPMAT_NV)
      fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_hi[CM], a_lo[CM];
      fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_hi[CN], b_lo[CN];
      [[unroll]] for (uint fm = 0u; fm < CM; ++fm) {
        const uint at = (sg_m + fm * FM) * STRIDE + kf;
        coopMatLoadNV(a_hi[fm], x_hi, at, STRIDE, false);
        coopMatLoadNV(a_lo[fm], x_lo, at, STRIDE, false);
      }
      [[unroll]] for (uint fn = 0u; fn < CN; ++fn) {
        const uint at = (sg_n + fn * FN) * STRIDE + kf;
        coopMatLoadNV(b_hi[fn], w_hi, at, STRIDE, true);
        coopMatLoadNV(b_lo[fn], w_lo, at, STRIDE, true);
      }
      [[unroll]] for (uint fm = 0u; fm < CM; ++fm) {
        [[unroll]] for (uint fn = 0u; fn < CN; ++fn) {
          const uint f = fm * CN + fn;
          acc[f] = coopMatMulAddNV(a_lo[fm], b_hi[fn], acc[f]);
          acc[f] = coopMatMulAddNV(a_hi[fm], b_lo[fn], acc[f]);
          acc[f] = coopMatMulAddNV(a_hi[fm], b_hi[fn], acc[f]);
        }
      }
#else
      for (uint f = 0u; f < CM * CN; ++f) {
        const uint a_row = sg_m + (f / CN) * FM, b_col = sg_n + (f % CN) * FN;
        for (uint e = 0u; e < PER_LANE; ++e) {
          const uint r = (lane + SUBGROUP * e) / FN, c = (lane + SUBGROUP * e) % FN;
          const uint a = (a_row + r) * STRIDE + kf, b = (b_col + c) * STRIDE + kf;
          float s = acc[f * PER_LANE + e];
          for (uint kk = 0u; kk < FK; ++kk) {
            s += float(x_lo[a + kk]) * float(w_hi[b + kk]) + float(x_hi[a + kk]) * float(w_lo[b + kk]) +
                 float(x_hi[a + kk]) * float(w_hi[b + kk]);
          }
          acc[f * PER_LANE + e] = s;
        }
      }
#endif
    }
    barrier();
    k0 += BK;
  } while (k0 < p.k);

  // Each fragment goes through the subgroup's part of out_frags, so rows past the tile (another
  // expert's) and columns past N are not written, and the bias is added once.
  const uint frag_base = sg * FM * FN;
  [[unroll]] for (uint f = 0u; f < CM * CN; ++f) {
#if defined(COOPMAT_NV)
    coopMatStoreNV(acc[f], out_frags, frag_base, FN, false);
#else
    for (uint e = 0u; e < PER_LANE; ++e) out_frags[frag_base + lane + SUBGROUP * e] = acc[f * PER_LANE + e];
#endif
    barrier();
    const uint frag_m = sg_m + (f / CN) * FM, frag_n = col0 + sg_n + (f % CN) * FN;
    for (uint e = lane; e < FM * FN; e += SUBGROUP) {
      uint m = frag_m + e / FN, col = frag_n + e % FN;
      if (m < tile.row_count && col < p.n) y[p.y_offset + (tile.row_begin + m) * p.y_stride + col] = out_frags[frag_base + e] + bias_at(tile.expert, col);
    }
    barrier();
  }
}
