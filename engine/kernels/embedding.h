#pragma once
// Embedding gather: out[t, :] = table[ids[t], :] as float. ids is (T) uint32; table is
// (n_vocab, H) as GGUF stores it, in any weight format the matmul decodes (float or block
// quantized; each row a whole number of blocks), decoded with the matmul's decoders; out is
// (T, H). An id >= n_vocab yields a row of zeros (the host rejects such ids before they get
// here; the kernel still never reads past the table). Tables larger than
// maxStorageBufferRange are bound in row blocks, one dispatch each.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/embedding.comp.
struct EmbeddingPush {
  uint32_t n_tokens;
  uint32_t hidden;
  uint32_t n_vocab;
  uint32_t row_begin;     // first table row bound in this dispatch
  uint32_t row_count;     // rows bound in this dispatch
  uint32_t row_bytes;     // bytes per table row
  uint32_t zero_invalid;  // this dispatch writes the zero rows of ids >= n_vocab
};
static_assert(sizeof(EmbeddingPush) == 28);

bool embedding_supports(TensorType type);

// Throws Error(kUnsupported) naming the type when no variant decodes it, and
// Error(kInvalidArgument) when a row of `hidden` elements is not a whole number of blocks.
void record_embedding(vk::Context& ctx, vk::CommandBuffer& cmd, TensorType type, const vk::BufferRange& table,
                      const vk::BufferRange& ids, const vk::BufferRange& out, uint32_t n_tokens, uint32_t n_vocab,
                      uint32_t hidden);

}  // namespace vkmoe::kernels
