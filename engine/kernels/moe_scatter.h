#pragma once
// Weighted scatter back to token order after the expert matmuls:
//   out[t, :] (+)= sum over j = 0..k-1 of weights[t, j] * y_grouped[rows[t * k + j], :]
// y_grouped is (T * k, H) in the grouped order of moe_dispatch.h; rows and weights are (T, k);
// out is (T, H). The sum runs in j order, so the result is deterministic. With accumulate
// the sum is added to what out holds (residual or shared-expert fusion); otherwise out is
// overwritten. Entries whose row is kNoRow contribute nothing.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/moe_scatter.comp.
struct MoeScatterPush {
  uint32_t n_tokens;
  uint32_t k;
  uint32_t hidden;
  uint32_t accumulate;
};
static_assert(sizeof(MoeScatterPush) == 16);

void record_moe_scatter(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& y_grouped,
                        const vk::BufferRange& rows, const vk::BufferRange& weights, const vk::BufferRange& out,
                        uint32_t n_tokens, uint32_t k, uint32_t hidden, bool accumulate);

// Mirrors the push block of shaders/moe_scatter.comp's NORM_AFTER variant.
struct MoeScatterNormPush {
  MoeScatterPush scatter;
  float eps;
};
static_assert(sizeof(MoeScatterNormPush) == 20);

// The scatter added into the residual stream `out` (accumulate), fused with the norm of the
// next layer's input: normed = RMSNorm(out) * norm_weight (hidden floats), normed (T, H). The
// same values as record_moe_scatter then record_rms_norm, one dispatch and no barrier between.
void record_moe_scatter_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& y_grouped,
                             const vk::BufferRange& rows, const vk::BufferRange& weights, const vk::BufferRange& out,
                             const vk::BufferRange& norm_weight, const vk::BufferRange& normed, uint32_t n_tokens,
                             uint32_t k, uint32_t hidden, float eps);

}  // namespace vkmoe::kernels
