#include "engine/kernels/kv_cache_write.h"

#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {

void record_kv_cache_write(vk::Context& ctx, vk::CommandBuffer& cmd, KvCacheType type, const KvCacheShape& s,
                           const vk::BufferRange& src, const vk::BufferRange& positions, const vk::BufferRange& cache) {
  if (s.tokens == 0 || s.heads == 0 || s.head_dim == 0 || s.max_ctx == 0) {
    throw Error(ErrorCode::kInternal, "kv_cache_write: empty shape");
  }
  uint32_t stride = s.src_token_stride ? s.src_token_stride : s.heads * s.head_dim;
  if (stride < s.heads * s.head_dim) throw Error(ErrorCode::kInternal, "kv_cache_write: token stride below heads * head_dim");
  uint64_t src_floats = uint64_t(s.tokens - 1) * stride + uint64_t(s.heads) * s.head_dim;
  uint64_t cache_bytes = uint64_t(s.heads) * s.max_ctx * s.head_dim * kv_cache_element_bytes(type);
  if (src.size < src_floats * 4 || positions.size < uint64_t(s.tokens) * 4 || cache.size < cache_bytes) {
    throw Error(ErrorCode::kInternal, "kv_cache_write: range too small for " + std::to_string(s.tokens) + " tokens x " +
                                          std::to_string(s.heads) + " heads x " + std::to_string(s.head_dim) +
                                          " into a cache of " + std::to_string(s.max_ctx) + " positions");
  }
  const uint32_t spec[] = {64};
  const char* name = type == KvCacheType::kF16 ? "kv_cache_write_f16" : "kv_cache_write_f32";
  const auto& pipeline = ctx.pipelines().get({name, 3, sizeof(KvCacheWritePush), spec});
  Grid g = grid_for_groups(ceil_div(uint64_t(s.tokens) * s.heads * s.head_dim, spec[0]), ctx.caps());
  cmd.dispatch(pipeline, {src, positions, cache}, KvCacheWritePush{s.tokens, s.heads, s.head_dim, s.max_ctx, stride}, g.x,
               g.y);
}

}  // namespace vkmoe::kernels
