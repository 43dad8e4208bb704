#pragma once
// RMSNorm of `rows` rows of n floats with an n-float weight. Also per-head q/k norm.
// Rows are x_stride / out_stride floats apart (0: n), so a row may be a slice of a wider one.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/rms_norm.comp.
struct RmsNormPush {
  uint32_t n;
  uint32_t rows;
  float eps;
  uint32_t x_stride;
  uint32_t out_stride;
};
static_assert(sizeof(RmsNormPush) == 20);

// The workgroup size of a norm over rows of n: kernels that fuse a norm use it too, so their
// sums of squares add up in the same order and give the same bits.
uint32_t norm_workgroup_size(uint32_t n);

void record_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& weight,
                     const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps, uint32_t x_stride = 0,
                     uint32_t out_stride = 0);

// Mirrors the push block of shaders/add_rms_norm.comp.
struct AddRmsNormPush {
  uint32_t n;
  uint32_t rows;
  float eps;
};
static_assert(sizeof(AddRmsNormPush) == 12);

// The residual add fused with the norm that follows it: x += y, then out = RMSNorm(x) * weight.
// x, y, out are (rows, n) contiguous; the same values as record_binary_op(kAdd) then
// record_rms_norm, with one dispatch and no barrier between.
void record_add_rms_norm(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& y,
                         const vk::BufferRange& weight, const vk::BufferRange& out, uint32_t n, uint32_t rows, float eps);

}  // namespace vkmoe::kernels
