#include "engine/model/kv_cache.h"

namespace vkmoe {

KvCache::KvCache(vk::Context& ctx, const KvCacheLayout& shape) : layout_(shape) {
  uint64_t elem = kernels::kv_cache_element_bytes(shape.type);
  uint64_t k_bytes = elem * shape.n_head_kv * shape.max_ctx * shape.head_dim_k;
  uint64_t v_bytes = elem * shape.n_head_kv * shape.max_ctx * shape.head_dim_v;
  for (uint32_t l = 0; l < shape.n_layer; ++l) {
    keys_.push_back(ctx.create_buffer(k_bytes));
    values_.push_back(ctx.create_buffer(v_bytes));
  }
}

uint64_t KvCache::bytes() const {
  uint64_t total = 0;
  for (const auto& b : keys_) total += b.size();
  for (const auto& b : values_) total += b.size();
  return total;
}

}  // namespace vkmoe
