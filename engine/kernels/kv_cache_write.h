#pragma once
// Appends K or V rows to a layer's cache at GPU-side positions. src is (T, heads, head_dim)
// floats (token stride may be larger, e.g. a slice of a fused QKV row); cache is
// (heads, max_ctx, head_dim) in F32 or F16 (rounded to nearest even); positions is (T).
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

enum class KvCacheType : uint32_t { kF32 = 0, kF16 = 1 };

inline uint32_t kv_cache_element_bytes(KvCacheType type) { return type == KvCacheType::kF16 ? 2u : 4u; }

// Mirrors the push block of shaders/kv_cache_write.comp.
struct KvCacheWritePush {
  uint32_t tokens, heads, head_dim, max_ctx;
  uint32_t src_token_stride;  // floats
};
static_assert(sizeof(KvCacheWritePush) == 20);

struct KvCacheShape {
  uint32_t tokens = 0, heads = 0, head_dim = 0, max_ctx = 0;
  uint32_t src_token_stride = 0;  // floats; 0: heads * head_dim
};

// Positions at or past max_ctx are skipped on the GPU; the caller checks context overflow.
void record_kv_cache_write(vk::Context& ctx, vk::CommandBuffer& cmd, KvCacheType type, const KvCacheShape& shape,
                           const vk::BufferRange& src, const vk::BufferRange& positions, const vk::BufferRange& cache);

}  // namespace vkmoe::kernels
