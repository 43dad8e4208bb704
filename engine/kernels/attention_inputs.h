#pragma once
// A layer's fresh q, k, v made ready for attention in one dispatch: the q/k RMSNorms, the
// rotary embedding of q and k, and the write of k and v into the KV cache at GPU-side
// positions. The same values as record_rms_norm, record_rope and record_kv_cache_write in
// turn, with one dispatch and no barrier between them.
#include <cstdint>
#include <optional>

#include "engine/kernels/kv_cache_write.h"
#include "engine/kernels/rope.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// How q and k are normed before rope: not at all, each head on its own (Qwen3), or over all
// of a token's q (and k) heads at once (OLMoE).
enum class QkNorm : uint32_t { kNone = 0, kPerHead = 1, kWholeToken = 2 };

struct AttentionInputsShape {
  uint32_t tokens = 0, n_head = 0, n_head_kv = 0, head_dim_k = 0, head_dim_v = 0, max_ctx = 0;
};

struct AttentionInputs {
  vk::BufferRange q;          // (T, n_head, head_dim_k) floats, normed and roped in place
  vk::BufferRange k;          // (T, n_head_kv, head_dim_k) floats, read only
  vk::BufferRange v;          // (T, n_head_kv, head_dim_v) floats
  vk::BufferRange positions;  // (T) uint32; a position >= max_ctx writes nothing to the cache
  vk::BufferRange k_cache;    // (n_head_kv, max_ctx, head_dim_k) of the cache type
  vk::BufferRange v_cache;    // (n_head_kv, max_ctx, head_dim_v)
  // With a norm: the q and k norm weights, head_dim_k floats (per head) or heads * head_dim_k
  // (whole token).
  std::optional<vk::BufferRange> q_norm, k_norm;
};

struct QkNormConfig {
  QkNorm kind = QkNorm::kNone;
  float eps = 0.0f;
};

// Mirrors the push block of shaders/attention_inputs.comp.
struct AttentionInputsPush {
  uint32_t tokens, n_head, n_head_kv, head_dim_k, head_dim_v, max_ctx;
  uint32_t norm;
  uint32_t q_norm_lanes, k_norm_lanes;  // norm_workgroup_size of a q and of a k norm group
  float eps;
  RopeFrequencies rope;
};
static_assert(sizeof(AttentionInputsPush) == 72);

void record_attention_inputs(vk::Context& ctx, vk::CommandBuffer& cmd, const AttentionInputsShape& shape, const QkNormConfig& norm,
                             const RopeConfig& rope, KvCacheType cache_type, const AttentionInputs& buffers);

}  // namespace vkmoe::kernels
