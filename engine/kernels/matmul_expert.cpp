#include <algorithm>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/matmul_pipelines.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kInternal, "expert matmul: " + message);
}

}  // namespace

void record_expert_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const ExpertWeights& w, const ExpertRows& rows,
                          const std::optional<vk::BufferRange>& bias, MatmulChoice choice) {
  uint64_t row_bytes = matmul_row_bytes(w.type, w.k);
  const uint64_t k = w.k, n = w.n, r = rows.rows, experts = w.n_expert;
  require(n > 0 && experts > 0, "empty shape: n " + std::to_string(n) + ", experts " + std::to_string(experts));
  require(w.slot_stride % 4 == 0 && w.slot_stride >= n * row_bytes,
          "slot stride " + std::to_string(w.slot_stride) + " is not a multiple of 4 holding " + std::to_string(n) +
              " rows of " + std::to_string(row_bytes) + " bytes");
  require(w.pool.size >= n * row_bytes, "weight pool of " + std::to_string(w.pool.size) + " bytes holds no slot");
  require(rows.expert_offsets.size >= (experts + 1) * 4, "expert_offsets range too small");
  require(rows.slot_table.size >= experts * 4, "slot_table range too small");
  require(rows.x_gathered.size >= r * k * 4, "x_gathered range too small for (" + std::to_string(r) + ", " + std::to_string(k) + ")");
  require(rows.y_gathered.size >= r * n * 4, "y_gathered range too small for (" + std::to_string(r) + ", " + std::to_string(n) + ")");
  require(!bias || bias->size >= experts * n * 4, "bias range too small for (" + std::to_string(experts) + ", " + std::to_string(n) + ")");
  if (r == 0) return;

  // A GEMM tile only pays off when experts have rows to fill it: a 64-token prompt routed
  // top-8 over 128 experts gives each about 4, which the GEMV's 8-row tiles serve without
  // the GEMM's idle rows.
  if (choice.path == MatmulPath::kAuto) {
    choice.path = r <= kGemvMaxTokens * std::min(experts, r) ? MatmulPath::kGemv : MatmulPath::kGemm;
  }
  MatmulPipeline mp = matmul_pipeline(ctx, choice, w.type, true);

  // Rows per expert are known only on the GPU: size the grid for the worst case, where every
  // non-empty expert leaves one partial tile, and let surplus workgroups exit.
  uint64_t m_tiles = std::min(r, ceil_div(r, mp.tile_rows) + std::min(experts, r));
  MatmulPush push{};
  push.k = w.k;
  push.n = w.n;
  push.tokens = rows.rows;
  push.row_bytes = static_cast<uint32_t>(row_bytes);
  push.y_stride = w.n;
  push.has_bias = bias ? 1 : 0;
  push.n_expert = w.n_expert;
  push.slot_stride = w.slot_stride;
  push.n_slots = static_cast<uint32_t>((w.pool.size - n * row_bytes) / w.slot_stride + 1);
  // A pool may start anywhere (a window of a stacked tensor): bind from the aligned offset
  // below it and let the shader skip the difference.
  vk::BufferRange pool = w.pool;
  const uint64_t misalignment = pool.offset % ctx.caps().min_storage_buffer_offset_alignment;
  pool.offset -= misalignment;
  pool.size += misalignment;
  push.w_offset = static_cast<uint32_t>(misalignment);
  push.n_tiles = static_cast<uint32_t>(ceil_div(n, mp.tile_cols));
  push.m_tiles = static_cast<uint32_t>(m_tiles);
  Grid g = grid_for_groups(uint64_t(push.n_tiles) * push.m_tiles, ctx.caps());
  cmd.dispatch(*mp.pipeline,
               {pool, rows.x_gathered, rows.y_gathered, bias ? *bias : rows.x_gathered, rows.expert_offsets, rows.slot_table},
               push, g.x, g.y);
}

}  // namespace vkmoe::kernels
