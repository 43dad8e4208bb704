#include "engine/kernels/activation.h"

#include <algorithm>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

constexpr uint32_t kWorkgroup = 256;

void record_swiglu_variant(vk::Context& ctx, vk::CommandBuffer& cmd, const char* shader, const vk::BufferRange& gate,
                           const vk::BufferRange& up, const vk::BufferRange& out, uint64_t n, float alpha, float limit) {
  if (gate.size < n * 4 || up.size < n * 4 || out.size < n * 4) throw Error(ErrorCode::kInternal, std::string(shader) + ": range too small");
  const uint32_t spec[] = {kWorkgroup};
  const auto& pipeline = ctx.pipelines().get({shader, 3, sizeof(SwigluPush), spec});
  // Chunks start on offsets every binding can use and stay within one descriptor's reach.
  const auto& caps = ctx.caps();
  uint64_t align_elems = std::max<uint64_t>(1, caps.min_storage_buffer_offset_alignment / 4);
  uint64_t chunk = std::max<uint64_t>(align_elems, caps.max_storage_buffer_range / 4 / align_elems * align_elems);
  for (uint64_t start = 0; start < n; start += chunk) {
    uint64_t count = std::min(chunk, n - start);
    auto part = [&](const vk::BufferRange& r) { return vk::BufferRange{r.buffer, r.offset + start * 4, count * 4}; };
    Grid g = grid_for_groups(ceil_div(count, kWorkgroup), caps);
    cmd.dispatch(pipeline, {part(gate), part(up), part(out)}, SwigluPush{static_cast<uint32_t>(count), alpha, limit}, g.x, g.y);
  }
}

}  // namespace

void record_swiglu(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate, const vk::BufferRange& up,
                   const vk::BufferRange& out, uint64_t n) {
  record_swiglu_variant(ctx, cmd, "swiglu", gate, up, out, n, 0.0f, 0.0f);
}

void record_clamped_swiglu(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate,
                           const vk::BufferRange& up, const vk::BufferRange& out, uint64_t n, ClampedSwiglu params) {
  if (!(params.limit > 0.0f)) throw Error(ErrorCode::kInternal, "clamped swiglu: limit must be positive");
  record_swiglu_variant(ctx, cmd, "swiglu_clamped", gate, up, out, n, params.alpha, params.limit);
}

void record_sigmoid_gated_add(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate,
                              const vk::BufferRange& shared, const vk::BufferRange& out, uint32_t n_tokens,
                              uint32_t hidden) {
  uint64_t n = uint64_t(n_tokens) * hidden;
  if (gate.size < uint64_t(n_tokens) * 4 || shared.size < n * 4 || out.size < n * 4) {
    throw Error(ErrorCode::kInternal, "sigmoid gated add: range too small");
  }
  if (n == 0) return;
  if (n * 4 > ctx.caps().max_storage_buffer_range) {
    throw Error(ErrorCode::kUnsupported, "sigmoid gated add: " + std::to_string(n_tokens) + " tokens of " +
                                             std::to_string(hidden) + " floats exceed the device's storage buffer range");
  }
  const uint32_t spec[] = {hidden >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({"shared_expert_gate", 3, sizeof(SharedExpertGatePush), spec});
  Grid g = grid_for_groups(n_tokens, ctx.caps());
  vk::BufferRange sb{shared.buffer, shared.offset, n * 4}, ob{out.buffer, out.offset, n * 4};
  cmd.dispatch(pipeline, {gate, sb, ob}, SharedExpertGatePush{n_tokens, hidden}, g.x, g.y);
}

}  // namespace vkmoe::kernels
