#include "engine/kernels/moe_dispatch.h"

#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/matmul.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

void check_fits(const vk::Context& ctx, const vk::BufferRange& r, const char* what) {
  if (r.size > ctx.caps().max_storage_buffer_range) {
    throw Error(ErrorCode::kUnsupported, std::string("moe dispatch: ") + what + " of " + std::to_string(r.size) +
                                             " bytes exceeds the device's storage buffer range");
  }
}

}  // namespace

void record_moe_dispatch(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& ids,
                         const MoeDispatchOutputs& out, uint32_t n_tokens, uint32_t k, uint32_t n_expert) {
  uint64_t entries = uint64_t(n_tokens) * k;
  if (n_expert == 0 || n_expert > kDispatchMaxExperts) throw Error(ErrorCode::kInternal, "moe_dispatch: n_expert outside 1..256");
  if (k == 0 || entries > kDispatchMaxEntries) throw Error(ErrorCode::kInternal, "moe_dispatch: T * k = " + std::to_string(entries) + " outside 1..2^20");
  const uint32_t tiles = expert_gemv_tiles(static_cast<uint32_t>(entries), n_expert);
  if (ids.size < entries * 4 || out.rows.size < entries * 4 || out.sources.size < entries * 4 ||
      out.offsets.size < (n_expert + 1) * 4ull || out.gemv_tiles.size < tiles * 8ull) {
    throw Error(ErrorCode::kInternal, "moe_dispatch: range too small");
  }
  const uint32_t spec[] = {kDispatchMaxExperts};
  const auto& pipeline = ctx.pipelines().get({"moe_dispatch", 5, sizeof(MoeDispatchPush), spec});
  const vk::BufferRange tile_range{out.gemv_tiles.buffer, out.gemv_tiles.offset, tiles * 8ull};
  cmd.dispatch(pipeline, {ids, out.offsets, out.rows, out.sources, tile_range},
               MoeDispatchPush{static_cast<uint32_t>(entries), n_expert, kGemvMaxTokens, tiles}, 1);
}

void record_moe_gather(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x,
                       const vk::BufferRange& sources, const vk::BufferRange& x_grouped, uint32_t n_tokens, uint32_t k,
                       uint32_t hidden) {
  uint64_t n_rows = uint64_t(n_tokens) * k;
  if (k == 0 || hidden == 0 || n_rows > kDispatchMaxEntries) throw Error(ErrorCode::kInternal, "moe_gather: bad shape");
  if (x.size < uint64_t(n_tokens) * hidden * 4 || sources.size < n_rows * 4 || x_grouped.size < n_rows * hidden * 4) {
    throw Error(ErrorCode::kInternal, "moe_gather: range too small");
  }
  if (n_rows == 0) return;
  vk::BufferRange xb{x.buffer, x.offset, uint64_t(n_tokens) * hidden * 4};
  vk::BufferRange gb{x_grouped.buffer, x_grouped.offset, n_rows * hidden * 4};
  check_fits(ctx, xb, "x");
  check_fits(ctx, gb, "x_grouped");
  const uint32_t spec[] = {hidden >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({"moe_dispatch_gather", 3, sizeof(MoeGatherPush), spec});
  Grid g = grid_for_groups(n_rows, ctx.caps());
  cmd.dispatch(pipeline, {xb, sources, gb}, MoeGatherPush{static_cast<uint32_t>(n_rows), hidden, k}, g.x, g.y);
}

}  // namespace vkmoe::kernels
