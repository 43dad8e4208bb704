#include "engine/kernels/rms_norm.h"

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

uint32_t norm_workgroup_size(uint32_t n) { return n >= 1024 ? 256u : 64u; }

void record_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& weight,
                     const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps, uint32_t x_stride,
                     uint32_t out_stride) {
  x_stride = x_stride == 0 ? n : x_stride;
  out_stride = out_stride == 0 ? n : out_stride;
  auto extent = [&](uint32_t stride) { return 4 * (uint64_t(rows - 1) * stride + n); };
  if (rows == 0 || x_stride < n || out_stride < n || x.size < extent(x_stride) || out.size < extent(out_stride) ||
      weight.size < uint64_t(n) * 4) {
    throw Error(ErrorCode::kInternal, "rms_norm: empty shape, stride below n, or range too small");
  }
  const uint32_t spec[] = {norm_workgroup_size(n)};
  const auto& pipeline = ctx.pipelines().get({"rms_norm", 3, sizeof(RmsNormPush), spec});
  Grid g = grid_for_groups(rows, ctx.caps());
  cmd.dispatch(pipeline, {x, weight, out}, RmsNormPush{n, rows, eps, x_stride, out_stride}, g.x, g.y);
}

void record_add_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& y,
                         const vk::BufferRange& weight, const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps) {
  const uint64_t bytes = uint64_t(rows) * n * 4;
  if (rows == 0 || n == 0 || x.size < bytes || y.size < bytes || out.size < bytes || weight.size < uint64_t(n) * 4) {
    throw Error(ErrorCode::kInternal, "add_rms_norm: empty shape or range too small");
  }
  const uint32_t spec[] = {norm_workgroup_size(n)};
  const auto& pipeline = ctx.pipelines().get({"add_rms_norm", 4, sizeof(AddRmsNormPush), spec});
  Grid g = grid_for_groups(rows, ctx.caps());
  cmd.dispatch(pipeline, {x, y, weight, out}, AddRmsNormPush{n, rows, eps}, g.x, g.y);
}

}  // namespace vkmoe::kernels
