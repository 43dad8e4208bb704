#pragma once
// y (T, N) = x (T, K) · W^T (+ bias), with W as GGUF stores it: N rows of K elements
// (GGUF ne = {K, N}), in any format of weight_formats.glsl, decoded in registers. x, y and
// bias are float32, row-major. Few tokens take the GEMV path (memory bound), more take the
// tiled GEMM path on GPUs (CPU drivers keep the GEMV: gemv_suits). The expert form ("matmul
// by id") reads each expert's W through a slot table, so experts can move between slots
// without re-recording.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/common/matmul_common.glsl.
struct MatmulPush {
  uint32_t k;            // elements per row of x and of W
  uint32_t n;            // W rows (output columns) this dispatch computes
  uint32_t tokens;       // rows of x
  uint32_t row_bytes;    // bytes per W row
  uint32_t w_offset;     // byte of W row 0 (dense) or of slot 0 (expert) in the bound weight range
  uint32_t x_offset;     // element of x row 0 in the bound x range
  uint32_t y_offset;     // element of y (row 0, column 0) in the bound y range
  uint32_t y_stride;     // elements between rows of y
  uint32_t bias_offset;  // element of bias[0] in the bound bias range
  uint32_t has_bias;
  uint32_t n_expert;
  uint32_t slot_stride;  // bytes between weight slots of the expert pool
  uint32_t n_slots;      // slots in the bound pool; larger slot_table entries are clamped
  uint32_t n_tiles;      // workgroups along N
  uint32_t m_tiles;      // workgroups along the rows of x
  uint32_t up_w_offset;     // gated GEMV: byte of slot 0 of the up pool in its bound range
  uint32_t up_bias_offset;  // gated GEMV: element of the up bias in its bound range
  float glu_alpha;          // gated GEMV: clamped SwiGLU's alpha
  float glu_limit;          // gated GEMV: clamped SwiGLU's limit; 0 selects plain SwiGLU
  uint32_t has_tile_list;   // expert GEMV: 1 when the bound gemv_tiles lists the row tiles
  uint32_t x_source_divisor;  // expert: 0 when x holds the routed rows, else ExpertRows::x_sources' per_token
  float scatter_eps;          // GEMV with a ScatterAfter: its norm's epsilon
};
static_assert(sizeof(MatmulPush) == 88);

// Tokens up to which a GPU takes the GEMV path; rows per GEMV tile.
inline constexpr uint32_t kGemvMaxTokens = 8;

// Row tiles of `height` rows an expert matmul over `rows` grouped rows may have: every
// non-empty expert can leave one partial tile. The grid is this tall; surplus workgroups exit.
inline uint32_t expert_row_tiles(uint32_t rows, uint32_t n_expert, uint32_t height) {
  return std::min(rows, (rows + height - 1) / height + std::min(n_expert, rows));
}

// The expert GEMV's: record_moe_dispatch lists the real ones.
inline uint32_t expert_gemv_tiles(uint32_t rows, uint32_t n_expert) {
  return expert_row_tiles(rows, n_expert, kGemvMaxTokens);
}

struct MatmulWeight {
  vk::BufferRange range;  // n rows of row_bytes(type, k), offset a multiple of 4
  TensorType type = TensorType::kF32;
  uint32_t k = 0;
  uint32_t n = 0;
};

enum class MatmulPath { kAuto, kGemv, kGemm };

// How the GEMV spreads W rows over invocations (matmul_gemv.comp). kSubgroupPerRow: a subgroup
// takes one row at a time and reduces it, for GPUs (a row of fewer units than the subgroup has
// lanes takes a power-of-two part of it: gemv_lanes_per_row). kRowsPerSubgroup: each subgroup
// takes 8 rows at once, with its x unit in registers and 64-bit loads, for CPU drivers, where
// every load is paid lane by lane; it needs shaderInt64. kAuto picks by device type
// (DeviceCaps::cpu_gemv_layout, which VKMOE_GEMV_LAYOUT overrides).
enum class GemvLayout { kAuto, kSubgroupPerRow, kRowsPerSubgroup };

// The layout kAuto stands for on this device (other requests are returned as they are).
GemvLayout resolve_gemv_layout(const vk::DeviceCaps& caps, GemvLayout requested);

// Whether kAuto takes the GEMV for matrices whose rows of x average `rows_per_matrix`. The
// rows-per-subgroup layout takes every size: on a CPU driver its tiles of 8 tokens, each
// weight decoded once per tile, beat the GEMM, whose inner loop pays a lane-by-lane load of
// shared memory per multiply (4096 x 4096 Q4_K over 64 tokens on lavapipe: 225 against 859
// ms). Otherwise up to kGemvMaxTokens: beyond that the GEMM reuses each decoded weight more.
bool gemv_suits(GemvLayout resolved, double rows_per_matrix);

// What multiplies in the GEMM (matmul_gemm.comp, matmul_gemm_coopmat.comp). kScalar: each
// invocation a 4 x 4 block in float32. kCoopmat: subgroups multiply cooperative-matrix
// fragments (DeviceCaps::coopmat_f16; tensor cores on NVIDIA), each float32 operand split
// into two halves, with float32 sums: float32 results within the scalar kernel's tolerance.
// kCoopmatOnLanes: the kCoopmat kernel with lanes doing the fragment operations; any device
// with shaderFloat16 runs it, so the tests check that kernel's tiling on devices without
// cooperative matrices. kAuto: kCoopmat where it runs, else kScalar.
enum class GemmKernel { kAuto, kScalar, kCoopmat, kCoopmatOnLanes };

// Whether kCoopmat or kCoopmatOnLanes runs `type` on this device: the fragment shape is there
// (shaderFloat16 on lanes) and the kernel's tiles fit its shared memory.
bool coopmat_gemm_runs(const vk::DeviceCaps& caps, TensorType type, GemmKernel kernel);

// The kernel kAuto stands for with `type` on this device (other requests are returned as they are).
GemmKernel resolve_gemm_kernel(const vk::DeviceCaps& caps, TensorType type, GemmKernel requested);

// Which kernel runs; tests pin each choice, everything else leaves them on kAuto.
struct MatmulChoice {
  MatmulPath path = MatmulPath::kAuto;
  GemvLayout layout = GemvLayout::kAuto;
  GemmKernel gemm = GemmKernel::kAuto;
};

// A one-token step's GEMV can end its layer block: the last workgroup to finish adds
// sum_j weights[j] * y[rows[j], :] (j = 0..k-1 in order) to `out` and writes
// normed = RMSNorm(out) * norm_weight. For the expert down projection, the k routed rows:
// record_moe_scatter_norm for one token. For a dense matmul, its one row with weight 1: the
// residual add of record_add_rms_norm. The norm's sum is grouped by the GEMV's workgroup,
// and the dispatch and barrier of the separate kernel go. Every row of y must be this
// dispatch's or an earlier one's that a barrier separates from it.
struct ScatterAfter {
  vk::BufferRange rows;         // (k) uint32: each choice's row of y (record_moe_dispatch's rows; dense {0})
  vk::BufferRange weights;      // (k) floats (dense {1})
  vk::BufferRange out;          // (n) floats: the residual stream, added to
  vk::BufferRange norm_weight;  // (n) floats
  vk::BufferRange normed;       // (n) floats
  vk::BufferRange ticket;       // one uint32, zero before the first dispatch; every dispatch leaves it zero
  float eps = 0.0f;
};

// x is (tokens, k), y is (tokens, n), bias is (n). W may exceed maxStorageBufferRange: it is
// then split into row ranges, one dispatch each. kAuto takes the GEMV path where gemv_suits.
// `scatter` needs one token, the GEMV path and one dispatch.
void record_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const MatmulWeight& w, const vk::BufferRange& x,
                   const vk::BufferRange& y, uint32_t tokens, const std::optional<vk::BufferRange>& bias = std::nullopt,
                   MatmulChoice choice = {}, const std::optional<ScatterAfter>& scatter = std::nullopt);

struct ExpertWeights {
  vk::BufferRange pool;   // every slot, at any offset; one binding, so at most maxStorageBufferRange bytes
  TensorType type = TensorType::kF32;
  uint32_t k = 0;
  uint32_t n = 0;
  uint32_t n_expert = 0;
  uint32_t slot_stride = 0;  // bytes between slots; expert e's W starts at slot_table[e] * slot_stride
};

// A slot_table entry for an expert this dispatch does not hold: its rows of y are left as
// they are, for a dispatch over another pool to compute.
inline constexpr uint32_t kAbsentSlot = 0xFFFFFFFFu;

// Where routed row r's x is when x holds the tokens' rows rather than the routed ones:
// row entries[r] / per_token, entries being record_moe_dispatch's sources (the (token, choice)
// entry each routed row came from, per_token choices a token).
struct XSources {
  vk::BufferRange entries;  // (rows) uint32
  uint32_t per_token = 0;
};

// The routed rows of an expert matmul, grouped by expert as the MoE dispatch kernel orders them.
struct ExpertRows {
  vk::BufferRange x;               // (rows, k) floats, sorted by expert; with x_sources, (tokens, k)
  vk::BufferRange expert_offsets;  // (n_expert + 1) uint32 prefix sums of rows per expert
  vk::BufferRange slot_table;      // (n_expert) uint32 slot of each expert, or kAbsentSlot
  vk::BufferRange y_gathered;      // (rows, n) floats
  uint32_t rows = 0;               // R: total rows; per-expert counts are known only on the GPU
  // The GEMV's row tiles as record_moe_dispatch lists them. Without them each GEMV workgroup
  // finds its tile by walking expert_offsets (the GEMM always does).
  std::optional<vk::BufferRange> gemv_tiles;
  // Set: x is read through the sources, so the forward pass needs no gather into routed rows.
  std::optional<XSources> x_sources;
};

// bias, when given, is (n_expert, n). kAuto takes the GEMV path where gemv_suits the rows per
// expert, taken as rows / min(n_expert, rows). `scatter` needs the GEMV path.
void record_expert_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const ExpertWeights& w, const ExpertRows& rows,
                          const std::optional<vk::BufferRange>& bias = std::nullopt, MatmulChoice choice = {},
                          const std::optional<ScatterAfter>& scatter = std::nullopt);

// The expert FFN's first half in one GEMV pass: y (R, n) = act(x · gate^T + gate bias,
// x · up^T + up bias) per routed row, act SwiGLU or, with `clamped`, gpt-oss's clamped SwiGLU
// (activation.h gives both). It computes the same bits as the two expert matmuls followed by
// record_swiglu / record_clamped_swiglu, with one dispatch instead of three and no barrier
// between them. Gate and up share format, shape and slots (expert_glu_fusable); biases are
// both given or both absent.
struct GluActivation {
  bool clamped = false;
  float alpha = 0.0f;  // clamped only
  float limit = 0.0f;  // clamped only
};

struct ExpertGluWeights {
  ExpertWeights gate;
  ExpertWeights up;
  std::optional<vk::BufferRange> gate_bias;  // (n_expert, n)
  std::optional<vk::BufferRange> up_bias;
};

// Whether record_expert_glu_matmul can take these rows in this (resolved) layout: gate and up
// alike, and rows the GEMV suits (the rule of record_expert_matmul's kAuto).
bool expert_glu_fusable(const ExpertGluWeights& w, uint32_t rows, GemvLayout resolved);

void record_expert_glu_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const ExpertGluWeights& w, const ExpertRows& rows,
                              GluActivation act, GemvLayout layout = GemvLayout::kAuto);

// Bytes of one W row of k elements; throws Error(kInvalidArgument) when k is not a whole
// number of blocks, and Error(kUnsupported) naming the type when no shader decodes it.
uint64_t matmul_row_bytes(TensorType type, uint32_t k);
bool matmul_supports(TensorType type);

}  // namespace vkmoe::kernels
