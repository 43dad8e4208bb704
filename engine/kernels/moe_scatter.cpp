#include "engine/kernels/moe_scatter.h"

#include <string>
#include <utility>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/rms_norm.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

namespace {

// The checks both variants share; returns y_grouped and out trimmed to their extents.
std::pair<vk::BufferRange, vk::BufferRange> scatter_ranges(vk::Context& ctx, const vk::BufferRange& y_grouped,
                                                           const vk::BufferRange& rows, const vk::BufferRange& weights,
                                                           const vk::BufferRange& out, uint32_t n_tokens, uint32_t k,
                                                           uint32_t hidden) {
  uint64_t entries = uint64_t(n_tokens) * k;
  if (k == 0 || hidden == 0 || entries > 0xffffffffull) throw Error(ErrorCode::kInternal, "moe_scatter: bad shape");
  uint64_t y_bytes = entries * hidden * 4, out_bytes = uint64_t(n_tokens) * hidden * 4;
  if (y_grouped.size < y_bytes || rows.size < entries * 4 || weights.size < entries * 4 || out.size < out_bytes) {
    throw Error(ErrorCode::kInternal, "moe_scatter: range too small");
  }
  // Rows are read in any order, so y_grouped is bound whole.
  if (y_bytes > ctx.caps().max_storage_buffer_range || out_bytes > ctx.caps().max_storage_buffer_range) {
    throw Error(ErrorCode::kUnsupported, "moe_scatter: y_grouped of " + std::to_string(y_bytes) +
                                             " bytes exceeds the device's storage buffer range");
  }
  return {{y_grouped.buffer, y_grouped.offset, y_bytes}, {out.buffer, out.offset, out_bytes}};
}

}  // namespace

void record_moe_scatter(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& y_grouped,
                        const vk::BufferRange& rows, const vk::BufferRange& weights, const vk::BufferRange& out,
                        uint32_t n_tokens, uint32_t k, uint32_t hidden, bool accumulate) {
  const auto [yb, ob] = scatter_ranges(ctx, y_grouped, rows, weights, out, n_tokens, k, hidden);
  if (n_tokens == 0) return;
  const uint32_t spec[] = {norm_workgroup_size(hidden)};
  const auto& pipeline = ctx.pipelines().get({"moe_scatter", 4, sizeof(MoeScatterPush), spec});
  Grid g = grid_for_groups(n_tokens, ctx.caps());
  cmd.dispatch(pipeline, {yb, rows, weights, ob}, MoeScatterPush{n_tokens, k, hidden, accumulate ? 1u : 0u}, g.x, g.y);
}

void record_moe_scatter_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& y_grouped,
                             const vk::BufferRange& rows, const vk::BufferRange& weights, const vk::BufferRange& out,
                             const vk::BufferRange& norm_weight, const vk::BufferRange& normed, uint32_t n_tokens,
                             uint32_t k, uint32_t hidden, float eps) {
  const auto [yb, ob] = scatter_ranges(ctx, y_grouped, rows, weights, out, n_tokens, k, hidden);
  if (norm_weight.size < uint64_t(hidden) * 4 || normed.size < ob.size) {
    throw Error(ErrorCode::kInternal, "moe_scatter_norm: range too small");
  }
  if (n_tokens == 0) return;
  const uint32_t spec[] = {norm_workgroup_size(hidden)};
  const auto& pipeline = ctx.pipelines().get({"moe_scatter_norm", 6, sizeof(MoeScatterNormPush), spec});
  Grid g = grid_for_groups(n_tokens, ctx.caps());
  const vk::BufferRange nb{normed.buffer, normed.offset, ob.size};
  cmd.dispatch(pipeline, {yb, rows, weights, ob, norm_weight, nb}, MoeScatterNormPush{{n_tokens, k, hidden, 1u}, eps},
               g.x, g.y);
}

}  // namespace vkmoe::kernels
