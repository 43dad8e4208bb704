#include "engine/kernels/elementwise.h"

#include <algorithm>
#include <numeric>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {
constexpr uint32_t kWorkgroup = 256;
}

void record_binary_op(vk::Context& ctx, vk::CommandBuffer& cmd, BinaryOp op, const vk::BufferRange& a,
                      const vk::BufferRange& b, const vk::BufferRange& out, uint64_t n, uint64_t b_len) {
  if (b_len == 0 || n % b_len != 0) throw Error(ErrorCode::kInternal, "binary op: b_len must divide n");
  if (a.size < n * 4 || out.size < n * 4 || b.size < b_len * 4) throw Error(ErrorCode::kInternal, "binary op: range too small");
  const uint32_t spec[] = {kWorkgroup};
  const auto& pipeline = ctx.pipelines().get({op == BinaryOp::kAdd ? "add_f32" : "mul_f32", 3, sizeof(BinaryOpPush), spec});
  // Chunks stay within one descriptor's reach and start on whole broadcast rows. When b is
  // as long as a it is split the same way; otherwise the broadcast row is bound whole.
  const auto& caps = ctx.caps();
  uint64_t max_elems = caps.max_storage_buffer_range / 4;
  uint64_t align_elems = std::max<uint64_t>(1, caps.min_storage_buffer_offset_alignment / 4);
  bool split_b = b_len == n;
  uint64_t unit = split_b ? align_elems : std::lcm(align_elems, b_len);
  uint64_t chunk = std::max<uint64_t>(unit, max_elems / unit * unit);
  for (uint64_t start = 0; start < n; start += chunk) {
    uint64_t count = std::min(chunk, n - start);
    vk::BufferRange ca{a.buffer, a.offset + start * 4, count * 4};
    vk::BufferRange co{out.buffer, out.offset + start * 4, count * 4};
    vk::BufferRange cb = split_b ? vk::BufferRange{b.buffer, b.offset + start * 4, count * 4} : vk::BufferRange{b.buffer, b.offset, b_len * 4};
    BinaryOpPush push{static_cast<uint32_t>(count), static_cast<uint32_t>(split_b ? count : b_len)};
    Grid g = grid_for_groups(ceil_div(count, kWorkgroup), caps);
    cmd.dispatch(pipeline, {ca, cb, co}, push, g.x, g.y);
  }
}

}  // namespace vkmoe::kernels
