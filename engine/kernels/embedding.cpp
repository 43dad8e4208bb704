#include "engine/kernels/embedding.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/format_variant.h"
#include "engine/kernels/matmul.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

// embedding_<format>, as shaders/embedding.variants.cmake names the variants.
std::string shader_name(TensorType type) {
  return "embedding_" + format_variant_suffix(type);
}

}  // namespace

// The variants are the matmul's weight formats (shaders/common/weight_formats.cmake).
bool embedding_supports(TensorType type) { return matmul_supports(type); }

void record_embedding(vk::Context& ctx, vk::CommandBuffer& cmd, TensorType type, const vk::BufferRange& table,
                      const vk::BufferRange& ids, const vk::BufferRange& out, uint32_t n_tokens, uint32_t n_vocab,
                      uint32_t hidden) {
  const auto info = tensor_type_info(type);
  if (!embedding_supports(type)) {
    throw Error(ErrorCode::kUnsupported, "embedding: table type " + std::string(info.name) + " is not supported");
  }
  if (n_vocab == 0 || hidden == 0) throw Error(ErrorCode::kInternal, "embedding: empty table");
  if (hidden % info.block_elements != 0) {
    throw Error(ErrorCode::kInvalidArgument, "embedding: row of " + std::to_string(hidden) +
                                                 " elements is not a whole number of " + std::string(info.name) +
                                                 " blocks of " + std::to_string(info.block_elements));
  }
  uint64_t row_bytes = uint64_t(hidden) / info.block_elements * info.block_bytes;
  uint64_t out_bytes = uint64_t(n_tokens) * hidden * 4;
  if (table.size < n_vocab * row_bytes || ids.size < uint64_t(n_tokens) * 4 || out.size < out_bytes) {
    throw Error(ErrorCode::kInternal, "embedding: range too small");
  }
  if (n_tokens == 0) return;
  const auto& caps = ctx.caps();
  if (out_bytes > caps.max_storage_buffer_range) throw Error(ErrorCode::kUnsupported, "embedding: output exceeds the storage buffer range");
  // Row blocks start on offsets the device accepts: a multiple of `unit` rows. (The decoders
  // also need rows at even bytes, which every format but byte-read MXFP4 gives.)
  uint64_t align = std::max<uint64_t>(4, caps.min_storage_buffer_offset_alignment);
  if (table.offset % align != 0) {
    throw Error(ErrorCode::kInternal, "embedding: table offset " + std::to_string(table.offset) + " is not aligned");
  }
  uint64_t unit = align / std::gcd(align, row_bytes);
  uint64_t rows_per_block = caps.max_storage_buffer_range / row_bytes / unit * unit;
  if (rows_per_block == 0) throw Error(ErrorCode::kUnsupported, "embedding: one row of " + std::to_string(row_bytes) + " bytes exceeds the storage buffer range");
  const uint32_t spec[] = {hidden >= 1024 ? 256u : 64u};
  const auto& pipeline = ctx.pipelines().get({shader_name(type), 3, sizeof(EmbeddingPush), spec});
  Grid g = grid_for_groups(n_tokens, caps);
  vk::BufferRange ob{out.buffer, out.offset, out_bytes};
  for (uint64_t begin = 0; begin < n_vocab; begin += rows_per_block) {
    uint64_t count = std::min<uint64_t>(rows_per_block, n_vocab - begin);
    vk::BufferRange tb{table.buffer, table.offset + begin * row_bytes, count * row_bytes};
    EmbeddingPush push{n_tokens, hidden, n_vocab, static_cast<uint32_t>(begin), static_cast<uint32_t>(count),
                       static_cast<uint32_t>(row_bytes), begin == 0 ? 1u : 0u};
    cmd.dispatch(pipeline, {tb, ids, ob}, push, g.x, g.y);
  }
}

}  // namespace vkmoe::kernels
