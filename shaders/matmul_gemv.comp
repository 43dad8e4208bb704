#version 450
// Decode matmul: y (T, N) = x (T, K) · W^T (+ bias) for a few tokens. Memory bound: lanes
// take whole units of a row (a block, or the part of a super-block whose bytes belong
// together: weight_blocks.glsl) and decode each once. Each (row, token) sums its units in a
// fixed order whatever the tile around it, so results do not depend on how rows were grouped.
//
// Two layouts, one variant each (matmul_gemv.variants.cmake):
// - default, for GPUs: a workgroup owns ROWS rows; a group of LANES_PER_ROW lanes (the whole
//   subgroup, or part of it where a row has fewer units than the subgroup has lanes) takes one
//   row at a time, its lanes take units and apply each to up to MAX_TOKENS rows of x (which
//   comes from cache), then reduce across the group.
// - ROWS_PER_SUBGROUP, for CPU drivers such as lavapipe, which load from a storage buffer lane
//   by lane behind a branch, and run every branch and a masked extra pass of every loop: a
//   workgroup is one subgroup taking ROWS rows at once; a lane loads its x unit once for all
//   ROWS rows; weights and x come from texel views of their bindings, which such a driver
//   fetches for all lanes at once: 64-bit words, or 16-byte quads where rows start on 16-byte
//   boundaries (X_QUADS here, W_QUADS and WIDE_LOADS in weight_blocks.glsl). It decodes a unit
//   once per token, or (DECODE_ONCE_PER_TILE) once for all the tile's tokens.
// GLU (expert only): each output column decodes its gate row and its up row (two matrices,
// WEIGHT_MATRICES) against the same x and writes the gated activation (matmul_common.glsl).
// Weight format: weight_blocks.glsl; dense or expert ("matmul by id"): matmul_common.glsl.
//
// SCATTER_EPILOGUE (every variant but GLU): with SCATTER_AFTER, the last workgroup to finish
// (a ticket counter) then adds one token's rows of y, weighted, into the residual stream and
// norms it (moe_scatter_token.glsl): the scatter kernel's work (or, for a dense matmul's one
// row with weight 1, the residual add's) without its dispatch and the barrier before it. A
// decode step's attention output projection and MoE down projection end this way.
#if !defined(ROWS_PER_SUBGROUP)
#extension GL_KHR_shader_subgroup_shuffle : require  // row_group_sum
#endif
#if defined(GLU)
// The up matrix's binding, needed before weight_formats.glsl declares its views; the other
// bindings are in matmul_common.glsl.
#define UP_WEIGHT_BINDING 8
#endif
#if defined(SCATTER_EPILOGUE)
#define Y_QUALIFIERS coherent
#endif
#include "compute_common.glsl"
#include "weight_blocks.glsl"
#include "matmul_common.glsl"

#if defined(SCATTER_EPILOGUE)
#define SCATTER_NORM
#include "workgroup_reduce.glsl"
layout(constant_id = 4) const bool SCATTER_AFTER = false;
// The rows this kernel wrote: (tokens, n) from y_offset (the expert form's start at 0).
float scatter_y_at(uint i) { return y[p.y_offset + i]; }
layout(std430, binding = 10) readonly buffer ScatterRows { uint scatter_rows[]; };        // (k)
layout(std430, binding = 11) readonly buffer ScatterWeights { float scatter_weights[]; };  // (k)
layout(std430, binding = 12) buffer ScatterOut { float scatter_out[]; };                   // (n)
layout(std430, binding = 13) readonly buffer ScatterNormWeight { float scatter_norm_weight[]; };
layout(std430, binding = 14) writeonly buffer ScatterNormed { float scatter_normed[]; };  // (n)
layout(std430, binding = 15) coherent buffer ScatterTicket { uint scatter_ticket; };
#include "moe_scatter_token.glsl"

shared bool g_last_workgroup;

// After this workgroup's tiles: publish them, take a ticket, and if every other workgroup of
// the grid has finished, scatter (p.tokens routed rows of one token, p.n wide) and return the
// ticket to 0 for the next dispatch.
void scatter_if_last() {
  memoryBarrierBuffer();
  barrier();
  const uint groups = gl_NumWorkGroups.x * gl_NumWorkGroups.y;
  if (gl_LocalInvocationIndex == 0) g_last_workgroup = atomicAdd(scatter_ticket, 1) == groups - 1;
  barrier();
  if (!g_last_workgroup) return;
  memoryBarrierBuffer();
  float sum_sq = scatter_token(0, 1, p.tokens, p.n, true);
  scatter_norm(0, p.n, p.scatter_eps, sum_sq);
  if (gl_LocalInvocationIndex == 0) scatter_ticket = 0;
}
#endif

const uint MAX_TOKENS = 8;  // x rows per tile

#if defined(ROWS_PER_SUBGROUP)
// A constant, not a specialization constant, so that glslc unrolls the loops over it and the
// accumulators stay in registers (an array indexed by a loop counter would live in memory).
// With GLU the ROWS rows are COLS gate rows and the same COLS up rows.
const uint ROWS = 8;
const uint COLS = ROWS / WEIGHT_MATRICES;  // output columns per workgroup
layout(std430, binding = 1) readonly buffer XWords { uint64_t x_u64[]; };
layout(binding = 17) uniform usamplerBuffer x_texels;  // binding 1's words, as weight_blocks.glsl fetches W
layout(binding = 19) uniform usamplerBuffer x_quads;   // binding 1's 16-byte runs
// Every x row starts at a multiple of 4 floats of binding 1 (the host knows): units are then
// whole quads, fetched with no shifts.
layout(constant_id = 2) const bool X_QUADS = false;

// x as 64-bit words, as word_at reads weights: past the last whole word, the binding's odd
// last float (or 0).
uint g_last_x_word;
uint64_t g_x_tail_word;

void init_x_loads() {
  uint words = uint(x_u64.length());
  g_last_x_word = max(words, 1u) - 1u;
  g_x_tail_word = uint(x.length()) > 2u * words ? uint64_t(floatBitsToUint(x[2u * words])) : 0ul;
}

uint64_t x_word(uint i) {
  uint64_t w = pack64(texelFetch(x_texels, int(min(i, g_last_x_word))).xy);
  return i > g_last_x_word ? g_x_tail_word : w;
}

// x[xi .. xi + UNIT) into xs: from UNIT / 4 quads with X_QUADS, else from UNIT / 2 + 1 64-bit
// words, shifted by half a word when xi is odd (one path whatever xi, because a CPU driver
// runs both sides of a branch).
void load_x_unit(uint xi, out float xs[UNIT]) {
  if (X_QUADS) {
    [[unroll]] for (uint j = 0; j < UNIT; j += 4u) {
      uvec4 q = texelFetch(x_quads, int((xi + j) >> 2));
      [[unroll]] for (uint c = 0; c < 4u; ++c) xs[j + c] = uintBitsToFloat(q[c]);
    }
    return;
  }
  const uint first = xi >> 1, shift = (xi & 1u) * 32u;
  uint64_t prev = x_word(first);
  [[unroll]] for (uint j = 0; j < UNIT; j += 2u) {
    uint64_t next = x_word(first + j / 2u + 1u);
    uvec2 pair = unpack32(funnel(prev, next, shift));
    xs[j] = uintBitsToFloat(pair.x);
    xs[j + 1u] = uintBitsToFloat(pair.y);
    prev = next;
  }
}

// Row r of the tile: matrix r / COLS, output column r % COLS (clamped to the last row).
uint tile_row_byte(RowTile tile, uint n_tile, uint r) {
  return matrix_row_byte(tile, r / COLS, min(n_tile * COLS + r % COLS, p.n - 1u));
}

// Whether a lane decodes its unit of the ROWS rows once for all the tile's tokens (tiles of
// several tokens: prompts) or again for each token (one-token tiles, where holding the decoded
// unit would only cost stores and reloads). The same sums in the same order either way.
layout(constant_id = 1) const bool DECODE_ONCE_PER_TILE = false;

// Token t's outputs: adds the float formats' K % UNIT tail to this lane's partial sums,
// reduces them over the subgroup and writes the COLS columns.
void finish_token(RowTile tile, uint n_tile, uint t, float partial[ROWS]) {
  const uint xt = x_row_start(tile.row_begin + t);
  float sums[ROWS];
  [[unroll]] for (uint r = 0; r < ROWS; ++r) {
#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
    // Quantized rows are whole units.
    USE_MATRIX(r / COLS);
    uint row_byte = tile_row_byte(tile, n_tile, r);
    for (uint kk = (p.k / UNIT) * UNIT + gl_SubgroupInvocationID; kk < p.k; kk += gl_SubgroupSize) {
      partial[r] += weight_at(row_byte, kk) * x[xt + kk];
    }
#endif
    sums[r] = subgroupAdd(partial[r]);
  }
  [[unroll]] for (uint c = 0; c < COLS; ++c) {
    uint col = n_tile * COLS + c;
    if (!subgroupElect() || col >= p.n) continue;
#if defined(GLU)
    float value = glu(sums[c] + matrix_bias_at(0u, tile.expert, col), sums[COLS + c] + matrix_bias_at(1u, tile.expert, col));
#else
    float value = sums[c] + bias_at(tile.expert, col);
#endif
    y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = value;
  }
}

// sum_j w[j] * x[j] over one unit.
float unit_sum(float w[UNIT], float xs[UNIT]) {
  float s = 0.0;
  [[unroll]] for (uint j = 0; j < UNIT; ++j) s += w[j] * xs[j];
  return s;
}

// Loops test their condition at the bottom (a tile has at least one token, and a lane enters
// the unit loop only with a unit): a CPU driver runs a loop's body once more, every lane
// masked off, after the last lane leaves through a test at the top, and that pass costs as
// much as a real one. For the same reason the two strategies are chosen by a specialization
// constant, not a branch: a CPU driver would run both.
void compute_tiles() {
  init_weight_loads();
  init_x_loads();
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, MAX_TOKENS, tile)) return;
  const uint units = p.k / UNIT;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u && (tile.up_base & 15u) == 0u;
  const uint lane = gl_SubgroupInvocationID, lanes = gl_SubgroupSize;
  if (DECODE_ONCE_PER_TILE) {
    // Where each token's x starts, looked up once (rows past the tile repeat its last row).
    uint x_starts[MAX_TOKENS];
    [[unroll]] for (uint i = 0; i < MAX_TOKENS; ++i) x_starts[i] = x_row_start(tile.row_begin + min(i, tile.row_count - 1u));
    // acc[r][t] is updated through selects over t, not indexed by it (that would put it in
    // memory).
    float acc[ROWS][MAX_TOKENS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[r][t] = 0.0;
    }
    uint u = lane;
    if (u < units) do {
      float w[ROWS][UNIT];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        USE_MATRIX(r / COLS);
        decode_unit(tile_row_byte(tile, n_tile, r), u, aligned16, w[r]);
      }
      uint t = 0;
      do {
        uint xt = x_starts[0];
        [[unroll]] for (uint i = 1; i < MAX_TOKENS; ++i) xt = i == t ? x_starts[i] : xt;
        float xs[UNIT];
        load_x_unit(xt + u * UNIT, xs);
        [[unroll]] for (uint r = 0; r < ROWS; ++r) {
          float s = unit_sum(w[r], xs);
          [[unroll]] for (uint i = 0; i < MAX_TOKENS; ++i) acc[r][i] = i == t ? acc[r][i] + s : acc[r][i];
        }
        ++t;
      } while (t < tile.row_count);
      u += lanes;
    } while (u < units);
    uint t = 0;
    do {
      float partial[ROWS];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        partial[r] = 0.0;
        [[unroll]] for (uint i = 0; i < MAX_TOKENS; ++i) partial[r] = i == t ? acc[r][i] : partial[r];
      }
      finish_token(tile, n_tile, t, partial);
      ++t;
    } while (t < tile.row_count);
  } else {
    uint t = 0;
    do {
      float acc[ROWS];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) acc[r] = 0.0;
      const uint xt = x_row_start(tile.row_begin + t);
      uint u = lane;
      if (u < units) do {
        float xs[UNIT];
        load_x_unit(xt + u * UNIT, xs);
        [[unroll]] for (uint r = 0; r < ROWS; ++r) {
          USE_MATRIX(r / COLS);
          float w[UNIT];
          decode_unit(tile_row_byte(tile, n_tile, r), u, aligned16, w);
          acc[r] += unit_sum(w, xs);
        }
        u += lanes;
      } while (u < units);
      finish_token(tile, n_tile, t, acc);
      ++t;
    } while (t < tile.row_count);
  }
}

#else
layout(constant_id = 1) const uint ROWS = 4;  // output columns per workgroup
// Lanes that share a row: a power of two up to the subgroup size. Fewer than the subgroup when
// a row has fewer units than the subgroup has lanes (an expert down projection of K 768 has 12
// Q4_K or 6 Q6_K units), so that a subgroup takes several rows at once instead of idling lanes.
layout(constant_id = 5) const uint LANES_PER_ROW = 32;

// The sum of v over this lane's row group: LANES_PER_ROW consecutive lanes of the subgroup.
// The same butterfly for every row, so a row's sum does not depend on its neighbours.
float row_group_sum(float v) {
  if (LANES_PER_ROW >= gl_SubgroupSize) return subgroupAdd(v);
  [[unroll]] for (uint offset = LANES_PER_ROW >> 1; offset > 0u; offset >>= 1) v += subgroupShuffleXor(v, offset);
  return v;
}

void compute_tiles() {
  init_weight_loads();
  uint group = flat_group_index();
  uint n_tile = group % p.n_tiles;
  RowTile tile;
  if (group >= p.n_tiles * p.m_tiles || !find_row_tile(group / p.n_tiles, MAX_TOKENS, tile)) return;
  const uint units = p.k / UNIT;
  const bool aligned16 = (p.row_bytes & 15u) == 0u && (tile.w_base & 15u) == 0u && (tile.up_base & 15u) == 0u;
  const bool x_aligned = x_is_vec4_aligned();
  // Where each token's x starts (rows past the tile repeat its last row).
  uint x_starts[MAX_TOKENS];
  [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) x_starts[t] = x_row_start(tile.row_begin + min(t, tile.row_count - 1u));
  // Row groups of LANES_PER_ROW lanes (all of a subgroup where it has no more lanes).
  const uint lanes = min(LANES_PER_ROW, gl_SubgroupSize);
  const uint lane = gl_SubgroupInvocationID % lanes;
  const uint groups_per_subgroup = gl_SubgroupSize / lanes;
  const uint first_row = gl_SubgroupID * groups_per_subgroup + gl_SubgroupInvocationID / lanes;
  // Every lane of a row group runs the same iterations, so the reductions below see all of
  // their lanes.
  for (uint r = first_row; r < ROWS; r += gl_NumSubgroups * groups_per_subgroup) {
    uint col = n_tile * ROWS + r;
    if (col >= p.n) break;
    float acc[WEIGHT_MATRICES][MAX_TOKENS];
    [[unroll]] for (uint m = 0; m < WEIGHT_MATRICES; ++m) {
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) acc[m][t] = 0.0;
    }
    for (uint u = lane; u < units; u += lanes) {
      [[unroll]] for (uint m = 0; m < WEIGHT_MATRICES; ++m) {
        USE_MATRIX(m);
        float w[UNIT];
        decode_unit(matrix_row_byte(tile, m, col), u, aligned16, w);
        [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
          if (t < tile.row_count) acc[m][t] += unit_dot(w, x_starts[t] + u * UNIT, x_aligned);
        }
      }
    }
    float sums[WEIGHT_MATRICES][MAX_TOKENS];
    [[unroll]] for (uint m = 0; m < WEIGHT_MATRICES; ++m) {
      USE_MATRIX(m);
      uint row_byte = matrix_row_byte(tile, m, col);
      // Float formats: the K % UNIT elements after the last whole unit.
      for (uint kk = units * UNIT + lane; kk < p.k; kk += lanes) {
        float w = weight_at(row_byte, kk);
        [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
          if (t < tile.row_count) acc[m][t] += w * x[x_starts[t] + kk];
        }
      }
      // Only the tile's tokens: a one-token step reduces once per matrix, not MAX_TOKENS times.
      // row_count is the same for the whole workgroup.
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        if (t < tile.row_count) sums[m][t] = row_group_sum(acc[m][t]);
      }
    }
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
      if (lane != 0u || t >= tile.row_count) continue;
#if defined(GLU)
      float value = glu(sums[0][t] + matrix_bias_at(0u, tile.expert, col), sums[1][t] + matrix_bias_at(1u, tile.expert, col));
#else
      float value = sums[0][t] + bias_at(tile.expert, col);
#endif
      y[p.y_offset + (tile.row_begin + t) * p.y_stride + col] = value;
    }
  }
}
#endif

void main() {
  compute_tiles();
#if defined(SCATTER_EPILOGUE)
  if (SCATTER_AFTER) scatter_if_last();
#endif
}
