#pragma once
// RMSNorm of `rows` rows of n floats with an n-float weight. Also per-head q/k norm.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/rms_norm.comp.
struct RmsNormPush {
  uint32_t n;
  uint32_t rows;
  float eps;
};
static_assert(sizeof(RmsNormPush) == 12);

void record_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& weight,
                     const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps);

}  // namespace vkmoe::kernels
