#pragma once
// out = a (+|*) b over n floats, b broadcast when shorter (b_len divides n).
// Tensors larger than maxStorageBufferRange are processed in several dispatches.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/binary_op.comp.
struct BinaryOpPush {
  uint32_t n;
  uint32_t b_len;
};
static_assert(sizeof(BinaryOpPush) == 8);

enum class BinaryOp { kAdd, kMul };

void record_binary_op(vk::Context& ctx, vk::CommandBuffer& cmd, BinaryOp op, const vk::BufferRange& a,
                      const vk::BufferRange& b, const vk::BufferRange& out, uint64_t n, uint64_t b_len);

}  // namespace vkmoe::kernels
