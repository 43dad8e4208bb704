#pragma once
// Picks the matmul shader variant (path or GEMM kernel x weight format x dense/expert) and its tuning
// (specialization constants from DeviceCaps), and the grid shape each path needs.
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/vk/compute_pipeline.h"
#include "engine/vk/context.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::kernels {

struct MatmulPipeline {
  const vk::ComputePipeline* pipeline = nullptr;
  uint32_t tile_rows = 0;  // rows of x per workgroup
  uint32_t tile_cols = 0;  // rows of W per workgroup
};

// Where the matmuls' bindings may start: storage-buffer and texel-view offsets both allow it.
uint64_t matmul_binding_alignment(const vk::DeviceCaps& caps);

// Which matmul to run, besides the path and layout of MatmulChoice.
struct MatmulVariant {
  TensorType type = TensorType::kF32;
  uint32_t k = 0;  // row length: the GPU-layout GEMV gives a row as many lanes as it has units
  bool expert = false;
  bool glu = false;  // the gated expert GEMV: gate and up with the activation
  // The GEMV's row tiles will mostly hold several tokens (a prompt): the CPU-driver layout
  // then decodes each unit once per tile instead of once per token (the same bits either way).
  bool multi_token_tiles = false;
  // Every x row starts at a multiple of 4 floats of its binding: the CPU-driver layout then
  // fetches x as 16-byte texels, with no shifts.
  bool x_quads = false;
  // The CPU-driver layout fetches weights as 16-byte texels (weight_quads_fit).
  bool w_quads = false;
  // The GEMV ends with the one-token scatter or residual add (ScatterAfter).
  bool scatter_after = false;
};

// Whether the CPU-driver GEMV may fetch `type` weights as 16-byte texels: the format reads
// only whole 16-byte runs at 16-byte offsets of a row (F32, F16, BF16, Q4_K, Q5_K), and every
// row starts on a 16-byte boundary of its binding. `row_starts`: the row size OR'd with every
// byte offset rows are counted from (binding start, slot stride), so its low bits are theirs.
bool weight_quads_fit(TensorType type, uint64_t row_starts);

// Elements of a row that one GEMV lane decodes at once (UNIT in weight_blocks.glsl): 8 for the
// float formats, 64 for Q4_K and Q5_K, 128 for Q6_K, a 32-element block for the others.
uint32_t gemv_unit_elements(TensorType type);

// The GPU-layout GEMV's lanes per row: the row's units rounded up to a power of two, at most
// the subgroup (K 768 in Q4_K: 12 units, 16 lanes, two rows per 32-lane subgroup).
uint32_t gemv_lanes_per_row(TensorType type, uint32_t k, uint32_t subgroup);

// Bindings: dense 4 (W, x, y, bias); expert 8 (+ expert_offsets, slot_table, gemv_tiles,
// x_sources); gated expert GEMV 10 (+ up W, up bias); other GEMVs 16 (those 10, the dense
// form's 4..9 and GLU's 8 and 9 unused, then ScatterAfter's rows, weights, out, norm_weight,
// normed and ticket, used or not). The CPU-driver GEMV also reads W, x and up W through
// texel views of those bindings (matmul_gemv.comp), which dispatch binds itself. `choice.path`
// is kGemv or kGemm (kGemv with `glu`); a kAuto layout is resolved from the device type.
MatmulPipeline matmul_pipeline(vk::Context& ctx, MatmulChoice choice, const MatmulVariant& variant);

// The bindings of a GEMV without GLU (above).
inline constexpr uint32_t kGemvBuffers = 16;

// Throws unless `s` holds k rows and weights and n-float vectors.
void check_scatter_after(const ScatterAfter& s, uint64_t k, uint64_t n);

// A GEMV's bindings from `bound` (its first 4 or 8): the rest up to kGemvBuffers are
// ScatterAfter's when given. Bindings the kernel does not use get the ranges it binds to x
// (those it declares read-only) and y (those it declares writable): no range that another
// dispatch may write without a barrier between, so the synchronization validation sees no
// hazard, and none that the profiler would count again.
std::vector<vk::BufferRange> gemv_bindings(std::vector<vk::BufferRange> bound, const vk::BufferRange& x,
                                           const vk::BufferRange& y, const std::optional<ScatterAfter>& scatter);

}  // namespace vkmoe::kernels
