#include "engine/kernels/logit_candidates.h"

#include <cmath>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

// The shader's fixed shape: 64 invocations, 64 logits each, 16 sub-chunks a workgroup.
constexpr uint32_t kWorkgroup = 64;
constexpr uint32_t kChunk = 4096;
constexpr uint32_t kSubChunks = 16;
constexpr uint64_t kScratchHeaderWords = 4;

}  // namespace

uint64_t LogitCandidatesLayout::scratch_bytes(uint32_t n) {
  const uint64_t groups = ceil_div(n, kChunk);
  return (kScratchHeaderWords + groups * (2 + kSubChunks)) * 4;
}

void record_logit_candidates(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x,
                             const vk::BufferRange& scratch, const vk::BufferRange& result, uint32_t n,
                             const LogitCandidatesLayout& layout, const LogitCandidatesParams& params) {
  if (n == 0 || n > (1u << 24)) throw Error(ErrorCode::kInternal, "logit_candidates: n outside 1..2^24");
  if (!(params.temperature > 0.0f) || !(params.margin >= 0.0f) || params.window_size > layout.window_capacity) {
    throw Error(ErrorCode::kInternal, "logit_candidates: temperature, margin or window size out of range");
  }
  if (x.size < uint64_t(n) * 4 || scratch.size < LogitCandidatesLayout::scratch_bytes(n) ||
      result.size < layout.result_bytes()) {
    throw Error(ErrorCode::kInternal, "logit_candidates: range too small");
  }
  const uint32_t groups = static_cast<uint32_t>(ceil_div(n, kChunk));
  const LogitCandidatesPush push{n, groups, params.weight_total ? 1.0f / params.temperature : 0.0f, params.margin, params.min_count,
                                 params.window_size, layout.window_capacity, layout.capacity};
  const uint32_t spec[] = {kWorkgroup};
  const Grid grid = grid_for_groups(groups, ctx.caps());
  for (const char* pass : {"logit_candidates_stats", "logit_candidates_list"}) {
    const auto& pipeline = ctx.pipelines().get({pass, 3, sizeof(LogitCandidatesPush), spec});
    cmd.dispatch(pipeline, {x, scratch, result}, push, grid.x, grid.y);
    cmd.barrier();
  }
}

}  // namespace vkmoe::kernels
