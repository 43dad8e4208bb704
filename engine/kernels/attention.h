#pragma once
// Causal multi-head attention of T queries against a layer's KV cache.
//   q      (T, n_head, head_dim_k) floats
//   k_cache (n_head_kv, max_ctx, head_dim_k), v_cache (n_head_kv, max_ctx, head_dim_v), F32 or F16
//   positions (T) uint32: query t sits at positions[t] and sees keys
//             max(0, pos - window + 1) .. min(pos, n_kv - 1)   (window 0: from key 0)
//   sinks  (n_head) floats, optional: a logit per head that joins the softmax denominator
//   out    (T, n_head, head_dim_v) floats
// Query head h reads kv head h / (n_head / n_head_kv) (GQA; MQA when n_head_kv is 1).
// Few queries take the split-K flash-decoding path (two dispatches through `scratch`; one
// dispatch when a short context takes one split), many take the tiled flash-attention path.
#include <cstdint>
#include <optional>

#include "engine/kernels/kv_cache_write.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block in shaders/common/attention_params.glsl.
struct AttentionPush {
  uint32_t tokens, n_head, n_head_kv, n_kv, max_ctx, window, has_sinks, split_len, n_splits;
  float scale;
};
static_assert(sizeof(AttentionPush) == 40);

enum class AttentionPath { kAuto, kDecode, kPrefill };

struct AttentionShape {
  uint32_t tokens = 0;
  uint32_t n_head = 0, n_head_kv = 0;
  uint32_t head_dim_k = 0, head_dim_v = 0;
  uint32_t n_kv = 0;      // cache rows written so far (>= 1); keys past it are never read
  uint32_t max_ctx = 0;   // cache rows per kv head
  uint32_t window = 0;    // sliding window; 0: none
  float scale = 0.0f;     // 0: 1 / sqrt(head_dim_k)
  KvCacheType cache_type = KvCacheType::kF32;
  AttentionPath path = AttentionPath::kAuto;
};

struct AttentionBuffers {
  vk::BufferRange q, positions, k_cache, v_cache, out;
  std::optional<vk::BufferRange> sinks;
  vk::BufferRange scratch;  // attention_scratch_bytes(); unused by the prefill path
};

// Up to this many queries use the decode path under AttentionPath::kAuto.
constexpr uint32_t kAttentionDecodeMaxTokens = 8;

// Bytes of scratch the decode path needs for `shape` (0 for the prefill path and for a context
// that takes one split).
uint64_t attention_scratch_bytes(const vk::Context& ctx, const AttentionShape& shape);

void record_attention(vk::Context& ctx, vk::CommandBuffer& cmd, const AttentionShape& shape, const AttentionBuffers& buffers);

}  // namespace vkmoe::kernels
