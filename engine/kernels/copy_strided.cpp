#include "engine/kernels/copy_strided.h"

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

constexpr uint32_t kWorkgroup = 256;

// One past the last element an index pattern touches.
uint64_t extent(uint32_t tokens, uint32_t heads, uint32_t dim, uint32_t token_stride, uint32_t head_stride) {
  return uint64_t(tokens - 1) * token_stride + uint64_t(heads - 1) * head_stride + dim;
}

}  // namespace

void record_copy_strided(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& in, const vk::BufferRange& out,
                         const CopyStridedPush& p) {
  if (p.tokens == 0 || p.heads == 0 || p.dim == 0) throw Error(ErrorCode::kInternal, "copy_strided: empty shape");
  if (in.size < 4 * extent(p.tokens, p.heads, p.dim, p.in_token_stride, p.in_head_stride) ||
      out.size < 4 * extent(p.tokens, p.heads, p.dim, p.out_token_stride, p.out_head_stride)) {
    throw Error(ErrorCode::kInternal, "copy_strided: range too small for the strides");
  }
  const uint32_t spec[] = {kWorkgroup};
  const auto& pipeline = ctx.pipelines().get({"copy_strided", 2, sizeof(CopyStridedPush), spec});
  Grid g = grid_for_groups(ceil_div(uint64_t(p.tokens) * p.heads * p.dim, kWorkgroup), ctx.caps());
  cmd.dispatch(pipeline, {in, out}, p, g.x, g.y);
}

}  // namespace vkmoe::kernels
