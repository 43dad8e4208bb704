#pragma once
// Strided copy of (tokens, heads, dim) floats between layouts:
//   out[t * out_token_stride + h * out_head_stride + d] = in[t * in_token_stride + h * in_head_stride + d]
// Used to turn per-token head rows into per-head token blocks (batched per-head matmuls of
// multi-head latent attention) and to place a column slice into a wider row.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/copy_strided.comp.
struct CopyStridedPush {
  uint32_t tokens, heads, dim;
  uint32_t in_token_stride, in_head_stride;
  uint32_t out_token_stride, out_head_stride;
};
static_assert(sizeof(CopyStridedPush) == 28);

void record_copy_strided(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& in, const vk::BufferRange& out,
                         const CopyStridedPush& layout);

}  // namespace vkmoe::kernels
