#pragma once
// Picks the matmul shader variant (path x weight format x dense/expert) and its tuning
// (specialization constants from DeviceCaps), and the grid shape each path needs.
#include <cstdint>

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

// Bindings: dense 4 (W, x, y, bias); expert 7 (+ expert_offsets, slot_table, gemv_tiles);
// gated expert GEMV (`glu`) 9 (+ up W, up bias). The CPU-driver GEMV also reads W, x and up W
// through texel views of those bindings (matmul_gemv.comp), which dispatch binds itself. `choice.path` is kGemv or kGemm (kGemv with `glu`); a
// kAuto layout is resolved from the device type. `multi_token_tiles`: the GEMV's row tiles
// will mostly hold several tokens (a prompt), so the CPU-driver layout decodes each unit once
// per tile instead of once per token; the results are the same bits either way.
// Where the matmuls' bindings may start: storage-buffer and texel-view offsets both allow it.
uint64_t matmul_binding_alignment(const vk::DeviceCaps& caps);

MatmulPipeline matmul_pipeline(vk::Context& ctx, MatmulChoice choice, TensorType type, bool expert, bool multi_token_tiles,
                               bool glu = false);

}  // namespace vkmoe::kernels
