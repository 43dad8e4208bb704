#include "engine/model/kv_cache.h"

#include <algorithm>

namespace vkmoe {

uint32_t session_max_ctx(const ModelConfig& c, uint32_t requested) {
  if (requested != 0) return requested;
  return std::min<uint32_t>(c.n_ctx_train != 0 ? c.n_ctx_train : 4096, 4096);
}

KvCacheLayout KvCacheLayout::for_model(const ModelConfig& c, uint32_t max_ctx, kernels::KvCacheType type) {
  KvCacheLayout l;
  l.n_layer = c.n_layer;
  l.max_ctx = max_ctx;
  l.type = type;
  if (c.kv_lora_rank > 0) {  // multi-head latent attention caches the latent, one "head"
    l.n_head_kv = 1;
    l.head_dim_k = c.kv_lora_rank + c.qk_rope_head_dim;
    l.head_dim_v = c.kv_lora_rank;
  } else {
    l.n_head_kv = c.n_head_kv;
    l.head_dim_k = c.head_dim_k;
    l.head_dim_v = c.head_dim_v;
  }
  return l;
}

uint64_t KvCacheLayout::key_bytes() const {
  return kernels::kv_cache_element_bytes(type) * n_head_kv * max_ctx * head_dim_k;
}

uint64_t KvCacheLayout::value_bytes() const {
  return kernels::kv_cache_element_bytes(type) * n_head_kv * max_ctx * head_dim_v;
}

KvCache::KvCache(vk::Context& ctx, const KvCacheLayout& layout) : layout_(layout) {
  for (uint32_t l = 0; l < layout.n_layer; ++l) {
    keys_.push_back(ctx.create_buffer(layout.key_bytes()));
    values_.push_back(ctx.create_buffer(layout.value_bytes()));
  }
}

}  // namespace vkmoe
