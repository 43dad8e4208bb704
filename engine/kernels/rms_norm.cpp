#include "engine/kernels/rms_norm.h"

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& weight,
                     const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps) {
  if (x.size < uint64_t(n) * rows * 4 || out.size < uint64_t(n) * rows * 4 || weight.size < uint64_t(n) * 4) {
    throw Error(ErrorCode::kInternal, "rms_norm: range too small");
  }
  const uint32_t spec[] = {n >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({"rms_norm", 3, sizeof(RmsNormPush), spec});
  Grid g = grid_for_groups(rows, ctx.caps());
  cmd.dispatch(pipeline, {x, weight, out}, RmsNormPush{n, rows, eps}, g.x, g.y);
}

}  // namespace vkmoe::kernels
