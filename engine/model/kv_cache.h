#pragma once
// Keys and values of every layer for one session: per layer K is (n_head_kv, max_ctx,
// head_dim_k) and V is (n_head_kv, max_ctx, head_dim_v), stored as float32 or float16.
#include <cstdint>
#include <vector>

#include "engine/vk/buffer.h"
#include "engine/kernels/kv_cache_write.h"
#include "engine/vk/context.h"
#include "loader/model/model_config.h"

namespace vkmoe {

struct KvCacheLayout {
  uint32_t n_layer = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;
  uint32_t max_ctx = 0;
  kernels::KvCacheType type = kernels::KvCacheType::kF32;

  static KvCacheLayout for_model(const ModelConfig& config, uint32_t max_ctx, kernels::KvCacheType type);
  uint64_t key_bytes() const;    // per layer
  uint64_t value_bytes() const;  // per layer
  uint64_t bytes() const { return (key_bytes() + value_bytes()) * n_layer; }
};

// A session's context: `requested`, or when 0 the training context, at most 4096.
uint32_t session_max_ctx(const ModelConfig& config, uint32_t requested);

class KvCache {
 public:
  KvCache(vk::Context& ctx, const KvCacheLayout& layout);
  const KvCacheLayout& layout() const { return layout_; }
  const vk::Buffer& keys(uint32_t layer) const { return keys_.at(layer); }
  const vk::Buffer& values(uint32_t layer) const { return values_.at(layer); }

 private:
  KvCacheLayout layout_;
  std::vector<vk::Buffer> keys_;
  std::vector<vk::Buffer> values_;
};

}  // namespace vkmoe
