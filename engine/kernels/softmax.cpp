#include "engine/kernels/softmax.h"

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_softmax(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& out,
                    uint32_t n, uint32_t rows) {
  if (x.size < uint64_t(n) * rows * 4 || out.size < uint64_t(n) * rows * 4) throw Error(ErrorCode::kInternal, "softmax: range too small");
  const uint32_t spec[] = {n >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({"softmax", 2, sizeof(SoftmaxPush), spec});
  Grid g = grid_for_groups(rows, ctx.caps());
  cmd.dispatch(pipeline, {x, out}, SoftmaxPush{n, rows}, g.x, g.y);
}

}  // namespace vkmoe::kernels
