#include "engine/kernels/moe_scatter.h"

#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_moe_scatter(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& y_grouped,
                        const vk::BufferRange& rows, const vk::BufferRange& weights, const vk::BufferRange& out,
                        uint32_t n_tokens, uint32_t k, uint32_t hidden, bool accumulate) {
  uint64_t entries = uint64_t(n_tokens) * k;
  if (k == 0 || hidden == 0 || entries > 0xffffffffull) throw Error(ErrorCode::kInternal, "moe_scatter: bad shape");
  uint64_t y_bytes = entries * hidden * 4, out_bytes = uint64_t(n_tokens) * hidden * 4;
  if (y_grouped.size < y_bytes || rows.size < entries * 4 || weights.size < entries * 4 || out.size < out_bytes) {
    throw Error(ErrorCode::kInternal, "moe_scatter: range too small");
  }
  if (n_tokens == 0) return;
  // Rows are read in any order, so y_grouped is bound whole.
  if (y_bytes > ctx.caps().max_storage_buffer_range || out_bytes > ctx.caps().max_storage_buffer_range) {
    throw Error(ErrorCode::kUnsupported, "moe_scatter: y_grouped of " + std::to_string(y_bytes) +
                                             " bytes exceeds the device's storage buffer range");
  }
  const uint32_t spec[] = {hidden >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({"moe_scatter", 4, sizeof(MoeScatterPush), spec});
  Grid g = grid_for_groups(n_tokens, ctx.caps());
  vk::BufferRange yb{y_grouped.buffer, y_grouped.offset, y_bytes};
  vk::BufferRange ob{out.buffer, out.offset, out_bytes};
  cmd.dispatch(pipeline, {yb, rows, weights, ob}, MoeScatterPush{n_tokens, k, hidden, accumulate ? 1u : 0u}, g.x, g.y);
}

}  // namespace vkmoe::kernels
