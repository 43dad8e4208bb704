#pragma once
// Greedy sampling: out[r] = index of the largest x[r, :], the lowest index among equals.
// x is (rows, n) float, n up to 2^24; out is (rows) uint32. NaN entries never win; a row of
// only NaN gives 0. Inputs larger than maxStorageBufferRange are processed in row blocks.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/argmax.comp.
struct ArgmaxPush {
  uint32_t n;
  uint32_t rows;      // rows in this dispatch
  uint32_t row_base;  // index in `out` of this dispatch's first row
};
static_assert(sizeof(ArgmaxPush) == 12);

void record_argmax(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x, const vk::BufferRange& out,
                   uint32_t n, uint32_t rows);

}  // namespace vkmoe::kernels
