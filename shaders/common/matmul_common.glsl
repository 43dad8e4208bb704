// Bindings, push block and row-tile lookup shared by matmul_gemv.comp and matmul_gemm.comp.
//
// Dense (no EXPERT define): x is (tokens, k), y is (tokens, y_stride), W is (n, k) as GGUF
// stores it, starting at byte w_offset of binding 0.
// EXPERT ("matmul by id"): the R routed rows are grouped by expert, and x holds them (R, k),
// or the tokens' rows they come from (below); expert_offsets (n_expert + 1) are prefix sums of the rows per expert; expert e's W starts
// at byte w_offset + slot_table[e] * slot_stride of the weight pool bound at binding 0. y is
// (R, n).
// An expert whose slot_table entry is kAbsentSlot is not in this pool: its rows are left
// untouched (another dispatch, over another pool, computes them).
// Bias: dense (n) floats; expert (n_expert, n) floats.
//
// An expert GEMV may get its row tiles listed at binding 6 (has_tile_list; record_moe_dispatch
// writes them) instead of walking expert_offsets.
// An expert matmul may also read x ungathered: with x_source_divisor > 0, routed row r takes x
// row x_sources[r] / x_source_divisor (binding 7: record_moe_dispatch's sources, entries of
// (token, choice) with x_source_divisor choices per token), so x is the tokens' own rows.
//
// GLU (expert GEMV only): y = act(x · gate^T + gate bias, x · up^T + up bias), act SwiGLU or
// gpt-oss's clamped SwiGLU (glu.glsl); gate is the pool at binding 0 as above, up a pool of the
// same format and slots at binding 8 (its bias at 9).

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
// The GEMV's scatter epilogue reads y back in its last workgroup (matmul_gemv.comp).
#if !defined(Y_QUALIFIERS)
#define Y_QUALIFIERS writeonly
#endif
layout(std430, binding = 2) Y_QUALIFIERS buffer Y { float y[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
#if defined(EXPERT)
layout(std430, binding = 4) readonly buffer ExpertOffsets { uint expert_offsets[]; };
layout(std430, binding = 5) readonly buffer SlotTable { uint slot_table[]; };
layout(std430, binding = 6) readonly buffer GemvTiles { uvec2 gemv_tiles[]; };  // (expert, first row)
layout(std430, binding = 7) readonly buffer XSources { uint x_sources[]; };
#endif
#if defined(GLU)
#if !defined(EXPERT)
#error "GLU is an expert GEMV variant"
#endif
layout(std430, binding = 9) readonly buffer UpBias { float up_bias[]; };
#endif

// Mirrors vkmoe::kernels::MatmulPush (engine/kernels/matmul.h).
layout(push_constant) uniform Push {
  uint k;            // elements per row of x and of W
  uint n;            // W rows (output columns) this dispatch computes
  uint tokens;       // rows of x
  uint row_bytes;    // bytes per W row
  uint w_offset;     // byte of W row 0 (dense) or of slot 0 (expert) in binding 0
  uint x_offset;     // element of x row 0 in binding 1
  uint y_offset;     // element of y (row 0, column 0) in binding 2
  uint y_stride;     // elements between rows of y
  uint bias_offset;  // element of bias[0] in binding 3
  uint has_bias;
  uint n_expert;
  uint slot_stride;  // bytes between weight slots of the pool
  uint n_slots;      // slots in the bound pool; a larger slot_table entry is clamped
  uint n_tiles;      // workgroups along n; the flat workgroup index is m_tile * n_tiles + n_tile
  uint m_tiles;
  uint up_w_offset;     // GLU: byte of slot 0 of the up pool in its binding
  uint up_bias_offset;  // GLU: element of up_bias[0]
  float glu_alpha;      // GLU: clamped SwiGLU's alpha
  float glu_limit;      // GLU: clamped SwiGLU's limit; 0 selects plain SwiGLU
  uint has_tile_list;   // expert GEMV: gemv_tiles lists tiles of `height` rows
  uint x_source_divisor;  // expert: 0, x row r is routed row r; else x_sources[r] / this
  float scatter_eps;      // GEMV with SCATTER_AFTER: the norm's epsilon
} p;

// Up to `height` consecutive rows of x that share one weight matrix.
struct RowTile {
  uint row_begin;
  uint row_count;
  uint w_base;   // byte of that matrix's row 0 in binding 0
  uint up_base;  // GLU: byte of the up matrix's row 0 in its binding
  uint expert;   // 0 for dense
};

// Finds row tile `m_tile`; false when there is none (a workgroup beyond the real work, which
// the expert path has because the grid is sized for the worst case on the host).
// Expert tiles are numbered over every expert's rows, present in this pool or not; a tile of
// an absent expert is then no work here. Listed tiles take one read; otherwise the walk reads
// one offset per expert.
bool find_row_tile(uint m_tile, uint height, out RowTile tile) {
#if defined(EXPERT)
  const uint kAbsentSlot = 0xFFFFFFFFu;
  uint expert = p.n_expert, begin = 0u, end = 0u;
  if (p.has_tile_list != 0u) {
    uvec2 listed = gemv_tiles[m_tile];
    expert = listed.x;
    if (expert >= p.n_expert) return false;
    begin = min(listed.y, p.tokens);
    end = clamp(expert_offsets[expert + 1u], begin, p.tokens);
  } else {
    uint seen = 0u;
    end = min(expert_offsets[0], p.tokens);
    for (uint e = 0u; e < p.n_expert; ++e) {
      uint first = end;
      end = clamp(expert_offsets[e + 1u], first, p.tokens);
      uint tiles = (end - first + height - 1u) / height;
      if (m_tile < seen + tiles) {
        expert = e;
        begin = first + (m_tile - seen) * height;
        break;
      }
      seen += tiles;
    }
    if (expert == p.n_expert) return false;
  }
  uint slot = slot_table[expert];
  if (slot == kAbsentSlot || begin >= end) return false;
  tile.row_begin = begin;
  tile.row_count = min(height, end - begin);
  tile.w_base = p.w_offset + min(slot, p.n_slots - 1u) * p.slot_stride;
  tile.up_base = p.up_w_offset + min(slot, p.n_slots - 1u) * p.slot_stride;
  tile.expert = expert;
  return true;
#else
  tile.row_begin = m_tile * height;
  tile.row_count = p.tokens > tile.row_begin ? min(height, p.tokens - tile.row_begin) : 0u;
  tile.w_base = p.w_offset;
  tile.up_base = 0u;
  tile.expert = 0u;
  return tile.row_count > 0u;
#endif
}

// The element of binding 1 where routed (or dense) row `row`'s x starts.
uint x_row_start(uint row) {
#if defined(EXPERT)
  if (p.x_source_divisor != 0u) return p.x_offset + (x_sources[row] / p.x_source_divisor) * p.k;
#endif
  return p.x_offset + row * p.k;
}

float bias_at(uint expert, uint col) {
  return p.has_bias != 0u ? bias[p.bias_offset + expert * p.n + col] : 0.0;
}

// Row `col` of matrix `m` of the tile: 0 the W at binding 0, 1 GLU's up matrix.
uint matrix_row_byte(RowTile tile, uint m, uint col) { return (m == 0u ? tile.w_base : tile.up_base) + col * p.row_bytes; }

#if defined(GLU)
#include "glu.glsl"

float matrix_bias_at(uint m, uint expert, uint col) {
  if (m == 0u) return bias_at(expert, col);
  return p.has_bias != 0u ? up_bias[p.up_bias_offset + expert * p.n + col] : 0.0;
}

float glu(float gate, float up) { return p.glu_limit > 0.0 ? clamped_swiglu(gate, up, p.glu_alpha, p.glu_limit) : swiglu(gate, up); }
#endif

// Whether every x row starts at a multiple of 4 elements, so unit_dot may read x as vec4s.
bool x_is_vec4_aligned() { return (p.x_offset & 3u) == 0u && (p.k & 3u) == 0u; }

// sum_j w[j] * x[xi + j] over one decoded unit (UNIT: weight_blocks.glsl).
float unit_dot(float w[UNIT], uint xi, bool x_aligned) {
  float s = 0.0;
  if (x_aligned) {
    [[unroll]] for (uint j = 0u; j < UNIT; j += 4u) s += dot(vec4(w[j], w[j + 1u], w[j + 2u], w[j + 3u]), x4[(xi + j) >> 2]);
  } else {
    [[unroll]] for (uint j = 0u; j < UNIT; ++j) s += w[j] * x[xi + j];
  }
  return s;
}
