#include "engine/kernels/moe_dispatch.h"

#include <string>

#include "engine/kernels/matmul.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

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

}  // namespace vkmoe::kernels
