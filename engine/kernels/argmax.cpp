#include "engine/kernels/argmax.h"

#include <algorithm>
#include <numeric>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_argmax(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& out,
                   uint32_t n, uint32_t rows) {
  if (n == 0 || n > (1u << 24)) throw Error(ErrorCode::kInternal, "argmax: n outside 1..2^24");
  uint64_t row_bytes = uint64_t(n) * 4;
  if (x.size < row_bytes * rows || out.size < uint64_t(rows) * 4) throw Error(ErrorCode::kInternal, "argmax: range too small");
  if (rows == 0) return;
  const auto& caps = ctx.caps();
  uint64_t align = std::max<uint64_t>(4, caps.min_storage_buffer_offset_alignment);
  uint64_t unit = align / std::gcd(align, row_bytes);
  uint64_t rows_per_block = std::max<uint64_t>(unit, caps.max_storage_buffer_range / row_bytes / unit * unit);
  const uint32_t spec[] = {256};
  const auto& pipeline = ctx.pipelines().get({"argmax", 2, sizeof(ArgmaxPush), spec});
  vk::BufferRange ob{out.buffer, out.offset, uint64_t(rows) * 4};
  for (uint64_t begin = 0; begin < rows; begin += rows_per_block) {
    uint64_t count = std::min<uint64_t>(rows_per_block, rows - begin);
    vk::BufferRange xb{x.buffer, x.offset + begin * row_bytes, count * row_bytes};
    Grid g = grid_for_groups(count, caps);
    cmd.dispatch(pipeline, {xb, ob}, ArgmaxPush{n, static_cast<uint32_t>(count), static_cast<uint32_t>(begin)}, g.x, g.y);
  }
}

}  // namespace vkmoe::kernels
