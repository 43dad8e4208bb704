#pragma once
// Expert dispatch: groups the (token, choice) pairs by expert so each expert's matmul reads
// one contiguous block of rows.
//
// ids is (T, k) uint32 from the router; an "entry" is one (t, j), flat index i = t * k + j.
// The grouped order lists expert 0's entries first, then expert 1's, ...; within an expert,
// by entry index (so by token). That order is fixed by the ids alone, so every later result
// is bitwise reproducible.
//   offsets (n_expert + 1): expert e owns grouped rows [offsets[e], offsets[e + 1])
//   rows    (T * k): grouped row of entry i (kNoRow for an id >= n_expert)
//   sources (T * k): entry feeding grouped row r (kNoRow past the last valid row)
//   gemv_tiles (expert_gemv_tiles(T * k, n_expert) uint32 pairs): the expert GEMV's row tiles,
//           (expert, first grouped row) each, kGemvMaxTokens rows or an expert's last rows,
//           in expert order; (kNoTile, 0) after the last (ExpertRows::gemv_tiles reads them)
// The expert matmuls then read routed row r's x as row sources[r] / k of the tokens' x
// (ExpertRows::x_sources), so no copy of x is grouped.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

constexpr uint32_t kNoRow = 0xffffffffu;
constexpr uint32_t kDispatchMaxExperts = 256;
// One workgroup walks every entry, which stays cheap up to a large prefill batch.
constexpr uint32_t kDispatchMaxEntries = 1u << 20;

constexpr uint32_t kNoTile = 0xffffffffu;

// Mirrors the push block of shaders/moe_dispatch.comp.
struct MoeDispatchPush {
  uint32_t n_entries;
  uint32_t n_expert;
  uint32_t tile_height;
  uint32_t tile_capacity;
};
static_assert(sizeof(MoeDispatchPush) == 16);

struct MoeDispatchOutputs {
  vk::BufferRange offsets, rows, sources, gemv_tiles;
};

void record_moe_dispatch(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& ids,
                         const MoeDispatchOutputs& out, uint32_t n_tokens, uint32_t k, uint32_t n_expert);

}  // namespace vkmoe::kernels
