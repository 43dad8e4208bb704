#include "engine/kernels/embedding.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

const char* shader_name(EmbeddingStorage storage) {
  switch (storage) {
    case EmbeddingStorage::kF32: return "embedding_f32";
    case EmbeddingStorage::kF16: return "embedding_f16";
    case EmbeddingStorage::kBF16: return "embedding_bf16";
  }
  throw Error(ErrorCode::kInternal, "embedding: unknown storage type");
}

uint64_t element_bytes(EmbeddingStorage storage) { return storage == EmbeddingStorage::kF32 ? 4 : 2; }

}  // namespace

void record_embedding(vk::Context& ctx, vk::CommandBuffer& cmd, EmbeddingStorage storage, const vk::BufferRange& table,
                      const vk::BufferRange& ids, const vk::BufferRange& out, uint32_t n_tokens, uint32_t n_vocab,
                      uint32_t hidden) {
  if (n_vocab == 0 || hidden == 0) throw Error(ErrorCode::kInternal, "embedding: empty table");
  uint64_t row_bytes = hidden * element_bytes(storage);
  uint64_t out_bytes = uint64_t(n_tokens) * hidden * 4;
  if (table.size < n_vocab * row_bytes || ids.size < uint64_t(n_tokens) * 4 || out.size < out_bytes) {
    throw Error(ErrorCode::kInternal, "embedding: range too small");
  }
  if (n_tokens == 0) return;
  const auto& caps = ctx.caps();
  if (out_bytes > caps.max_storage_buffer_range) throw Error(ErrorCode::kUnsupported, "embedding: output exceeds the storage buffer range");
  // Row blocks start on offsets the device accepts: a multiple of `unit` rows.
  uint64_t align = std::max<uint64_t>(4, caps.min_storage_buffer_offset_alignment);
  uint64_t unit = align / std::gcd(align, row_bytes);
  uint64_t rows_per_block = caps.max_storage_buffer_range / row_bytes / unit * unit;
  if (rows_per_block == 0) throw Error(ErrorCode::kUnsupported, "embedding: one row of " + std::to_string(row_bytes) + " bytes exceeds the storage buffer range");
  const uint32_t spec[] = {hidden >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({shader_name(storage), 3, sizeof(EmbeddingPush), spec});
  Grid g = grid_for_groups(n_tokens, caps);
  vk::BufferRange ob{out.buffer, out.offset, out_bytes};
  for (uint64_t begin = 0; begin < n_vocab; begin += rows_per_block) {
    uint64_t count = std::min<uint64_t>(rows_per_block, n_vocab - begin);
    vk::BufferRange tb{table.buffer, table.offset + begin * row_bytes, count * row_bytes};
    EmbeddingPush push{n_tokens, hidden, n_vocab, static_cast<uint32_t>(begin), static_cast<uint32_t>(count), begin == 0 ? 1u : 0u};
    cmd.dispatch(pipeline, {tb, ids, ob}, push, g.x, g.y);
  }
}

}  // namespace vkmoe::kernels
