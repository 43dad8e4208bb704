#pragma once
// Row-wise softmax of `rows` rows of n floats.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/softmax.comp.
struct SoftmaxPush {
  uint32_t n;
  uint32_t rows;
};
static_assert(sizeof(SoftmaxPush) == 8);

void record_softmax(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& out,
                    uint32_t n, uint32_t rows);

}  // namespace vkmoe::kernels
