#pragma once
// Embedding gather: out[t, :] = table[ids[t], :] as float. ids is (T) uint32; table is
// (n_vocab, H) stored F32, F16 or BF16; out is (T, H). An id >= n_vocab yields a row of zeros
// (the host rejects such ids before they get here; the kernel still never reads past the
// table). Tables larger than maxStorageBufferRange are bound in row blocks, one dispatch each.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

enum class EmbeddingStorage { kF32, kF16, kBF16 };

// Mirrors the push block of shaders/embedding.comp.
struct EmbeddingPush {
  uint32_t n_tokens;
  uint32_t hidden;
  uint32_t n_vocab;
  uint32_t row_begin;   // first table row bound in this dispatch
  uint32_t row_count;   // rows bound in this dispatch
  uint32_t zero_invalid;  // this dispatch writes the zero rows of ids >= n_vocab
};
static_assert(sizeof(EmbeddingPush) == 24);

void record_embedding(vk::Context& ctx, vk::CommandBuffer& cmd, EmbeddingStorage storage, const vk::BufferRange& table,
                      const vk::BufferRange& ids, const vk::BufferRange& out, uint32_t n_tokens, uint32_t n_vocab,
                      uint32_t hidden);

}  // namespace vkmoe::kernels
