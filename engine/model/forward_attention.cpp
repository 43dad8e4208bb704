// Attention blocks of the forward pass: standard multi-head attention (GQA, q/k norms,
// sliding window, sinks, biases) and DeepSeek's multi-head latent attention in its absorbed
// form. Both leave the block's output in buffers_->tmp.
#include <cmath>

#include "engine/kernels/attention.h"
#include "engine/kernels/attention_inputs.h"
#include "engine/kernels/copy_strided.h"
#include "engine/kernels/kv_cache_write.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/rms_norm.h"
#include "engine/kernels/rope.h"
#include "engine/model/forward_buffers.h"
#include "engine/profile/kernel_family.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

kernels::RopeConfig rope_config(const ModelConfig& c, uint32_t head_dim) {
  kernels::RopeConfig r;
  r.style = c.rope.style == RopeStyle::kNeox ? kernels::RopeStyle::kNeox : kernels::RopeStyle::kNormal;
  r.n_rot = c.rope.n_rot != 0 ? c.rope.n_rot : head_dim;
  r.base = c.rope.theta;
  switch (c.rope.scaling) {
    case RopeScalingType::kNone: break;
    case RopeScalingType::kLinear:
      r.scaling = kernels::RopeScaling::kLinear;
      r.factor = c.rope.factor;
      break;
    case RopeScalingType::kYarn:
      r.scaling = kernels::RopeScaling::kYarn;
      r.factor = c.rope.factor;
      r.original_context = c.rope.original_context;
      r.beta_fast = c.rope.yarn_beta_fast;
      r.beta_slow = c.rope.yarn_beta_slow;
      r.attn_factor = c.rope.yarn_attn_factor * (0.1 * std::log(c.rope.factor) + 1.0);
      r.truncate = c.rope.yarn_truncate;
      break;
  }
  return r;
}

float attention_scale(const ModelConfig& c) {
  return c.attention_scale > 0.0f ? c.attention_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));
}

// q is (T, n_head, head_dim_k); the cache holds n_head_kv heads of head_dim_k keys and
// head_dim_v values per position; out is (T, n_head, head_dim_v).
struct AttentionHeads {
  uint32_t n_head, n_head_kv, head_dim_k, head_dim_v;
};

struct CachedAttention {
  kernels::AttentionShape shape;
  kernels::AttentionBuffers buffers;
};

// The attention kernel's arguments for `layer`'s cache, with out at the front of `attn`. No
// sliding window and no sinks: the caller adds those where the model has them.
CachedAttention cached_attention(const ModelConfig& c, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv,
                                 AttentionHeads heads, vk::BufferRange q, vk::BufferRange positions, const vk::Buffer& attn,
                                 const vk::Buffer& scratch) {
  CachedAttention a;
  a.shape.tokens = n_tokens;
  a.shape.n_head = heads.n_head;
  a.shape.n_head_kv = heads.n_head_kv;
  a.shape.head_dim_k = heads.head_dim_k;
  a.shape.head_dim_v = heads.head_dim_v;
  a.shape.n_kv = n_kv;
  a.shape.max_ctx = kv.layout().max_ctx;
  a.shape.scale = attention_scale(c);
  a.shape.cache_type = kv.layout().type;
  a.buffers.q = q;
  a.buffers.positions = positions;
  a.buffers.k_cache = kv.keys(layer).range();
  a.buffers.v_cache = kv.values(layer).range();
  a.buffers.out = floats(attn, 0, uint64_t(n_tokens) * heads.n_head * heads.head_dim_v);
  a.buffers.scratch = scratch.range();
  return a;
}

// Of a cache tensor of max_ctx rows, the `rows` a step reads or writes.
vk::PartialUse cache_rows(const vk::Buffer& cache, uint32_t rows, uint32_t max_ctx) {
  return {cache.range(), cache.size() / max_ctx * rows};
}

}  // namespace

void ForwardPass::record_attention(vk::CommandBuffer& cmd, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens;
  const uint64_t q_width = uint64_t(c.n_head) * c.head_dim_k;
  const uint64_t k_width = uint64_t(c.n_head_kv) * c.head_dim_k;
  const uint64_t v_width = uint64_t(c.n_head_kv) * c.head_dim_v;
  auto bias = [&](const char* name) -> std::optional<vk::BufferRange> {
    const DeviceTensor* t = find(layer, name);
    return t != nullptr ? std::optional(t->range()) : std::nullopt;
  };
  const auto xn = floats(b.xn, 0, uint64_t(T) * c.n_embd);
  const auto q = floats(b.q, 0, T * q_width), k = floats(b.k, 0, T * k_width), v = floats(b.v, 0, T * v_width);
  profile_as(cmd, KernelFamily::kQkvProjection);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_q.weight")), xn, q, T, bias("attn_q.bias"));
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_k.weight")), xn, k, T, bias("attn_k.bias"));
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_v.weight")), xn, v, T, bias("attn_v.bias"));
  cmd.barrier();

  // q/k norms, rope and the cache write: one kernel, one barrier.
  const auto positions = b.positions.range(0, uint64_t(T) * 4);
  const auto cache_type = kv.layout().type;
  const uint32_t max_ctx = kv.layout().max_ctx;
  kernels::QkNormConfig qk_norm{kernels::QkNorm::kNone, c.rms_norm_eps};
  kernels::AttentionInputs inputs{q, k, v, positions, kv.keys(layer).range(), kv.values(layer).range(), {}, {}};
  if (c.qk_norm_per_head || c.qk_norm_full) {
    qk_norm.kind = c.qk_norm_per_head ? kernels::QkNorm::kPerHead : kernels::QkNorm::kWholeToken;
    inputs.q_norm = w(layer, "attn_q_norm.weight").range();
    inputs.k_norm = w(layer, "attn_k_norm.weight").range();
  }
  profile_as(cmd, KernelFamily::kRope, cache_rows(kv.keys(layer), T, max_ctx), cache_rows(kv.values(layer), T, max_ctx));
  kernels::record_attention_inputs(ctx_, cmd, {T, c.n_head, c.n_head_kv, c.head_dim_k, c.head_dim_v, max_ctx}, qk_norm,
                                   rope_config(c, c.head_dim_k), cache_type, inputs);
  cmd.barrier();

  CachedAttention attention = cached_attention(c, kv, layer, T, n_kv, {c.n_head, c.n_head_kv, c.head_dim_k, c.head_dim_v}, q,
                                               positions, b.attn, b.attn_scratch);
  const bool sliding = layer < c.layer_uses_sliding_window.size() && c.layer_uses_sliding_window[layer];
  attention.shape.window = sliding ? c.sliding_window : 0;
  if (c.has_attention_sinks) attention.buffers.sinks = w(layer, "attn_sinks.weight").range();
  profile_as(cmd, KernelFamily::kAttention, cache_rows(kv.keys(layer), n_kv, max_ctx), cache_rows(kv.values(layer), n_kv, max_ctx));
  kernels::record_attention(ctx_, cmd, attention.shape, attention.buffers);
  cmd.barrier();

  profile_as(cmd, KernelFamily::kOutputProjection);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_output.weight")), attention.buffers.out,
                         floats(b.tmp, 0, uint64_t(T) * c.n_embd), T, bias("attn_output.bias"), {},
                         residual_add_after(T, w(layer, ffn_norm_name(c)).range()));
  cmd.barrier();
}

// Multi-head latent attention, absorbed: the cache holds one shared "head" per token, the
// normed latent c (kv_lora) followed by the roped k_pe (rope dims). Queries are moved into
// the latent space per head (q_nope · W_kb[h]) and joined with their roped part, attention
// runs as multi-query over the latent, and each head's latent output goes through W_vb[h].
// The per-head matmuls use the expert matmul with heads as experts over (head, T) blocks.
void ForwardPass::record_mla_attention(vk::CommandBuffer& cmd, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint32_t T = n_tokens, H = c.n_head;
  const uint32_t nope = c.qk_nope_head_dim, rope_dims = c.qk_rope_head_dim, lora = c.kv_lora_rank;
  const uint32_t qk = nope + rope_dims, latent = lora + rope_dims, vdim = c.head_dim_v;
  const auto xn = floats(b.xn, 0, uint64_t(T) * c.n_embd);
  const auto q = floats(b.q, 0, uint64_t(T) * H * qk);

  profile_as(cmd, KernelFamily::kQkvProjection);
  if (c.q_lora_rank > 0) {
    const auto q_lora = floats(b.q_lora, 0, uint64_t(T) * c.q_lora_rank);
    kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_q_a.weight")), xn, q_lora, T);
    cmd.barrier();
    profile_as(cmd, KernelFamily::kNorm);
    kernels::record_rms_norm(ctx_, cmd, q_lora, w(layer, "attn_q_a_norm.weight").range(), q_lora, c.q_lora_rank, T, c.rms_norm_eps);
    cmd.barrier();
    profile_as(cmd, KernelFamily::kQkvProjection);
    kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_q_b.weight")), q_lora, q, T);
  } else {
    kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_q.weight")), xn, q, T);
  }
  const auto kv_latent = floats(b.kv_latent, 0, uint64_t(T) * latent);
  const auto kv_row = floats(b.kv_row, 0, uint64_t(T) * latent);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_kv_a_mqa.weight")), xn, kv_latent, T);
  cmd.barrier();

  const auto positions = b.positions.range(0, uint64_t(T) * 4);
  const auto rope = rope_config(c, rope_dims);
  profile_as(cmd, KernelFamily::kNorm);
  kernels::record_rms_norm(ctx_, cmd, kv_latent, w(layer, "attn_kv_a_norm.weight").range(), kv_row, lora, T, c.rms_norm_eps,
                           latent, latent);
  kernels::RopeShape k_pe{T, 1, rope_dims, latent, rope_dims, latent, rope_dims};
  profile_as(cmd, KernelFamily::kRope);
  kernels::record_rope(ctx_, cmd, rope, k_pe, b.kv_latent.range(uint64_t(lora) * 4, (uint64_t(T) * latent - lora) * 4), positions,
                       b.kv_row.range(uint64_t(lora) * 4, (uint64_t(T) * latent - lora) * 4));
  kernels::RopeShape q_pe{T, H, rope_dims, H * qk, qk, H * qk, qk};
  const auto q_pe_range = b.q.range(uint64_t(nope) * 4, (uint64_t(T) * H * qk - nope) * 4);
  kernels::record_rope(ctx_, cmd, rope, q_pe, q_pe_range, positions, q_pe_range);
  cmd.barrier();
  // Each head's q_nope as a (T, nope) block: (T, H, qk) → (H, T, nope).
  profile_as(cmd, KernelFamily::kAttention);
  kernels::record_copy_strided(ctx_, cmd, q, b.heads_in.range(), {T, H, nope, H * qk, qk, nope, T * nope});

  const auto cache_type = kv.layout().type;
  const uint32_t max_ctx = kv.layout().max_ctx;
  profile_as(cmd, KernelFamily::kKvCacheWrite, cache_rows(kv.keys(layer), T, max_ctx), cache_rows(kv.values(layer), T, max_ctx));
  kernels::record_kv_cache_write(ctx_, cmd, cache_type, {T, 1, latent, kv.layout().max_ctx}, kv_row, positions,
                                 kv.keys(layer).range());
  kernels::record_kv_cache_write(ctx_, cmd, cache_type, {T, 1, lora, kv.layout().max_ctx, latent}, kv_row, positions,
                                 kv.values(layer).range());
  cmd.barrier();

  auto* offsets = static_cast<uint32_t*>(b.head_offsets.mapped());
  for (uint32_t h = 0; h <= H; ++h) offsets[h] = h * T;
  auto per_head = [&](const DeviceTensor& weight, uint32_t k_dim, uint32_t n_dim) {
    kernels::ExpertRows rows;
    rows.x = floats(b.heads_in, 0, uint64_t(H) * T * k_dim);
    rows.expert_offsets = b.head_offsets.range(0, (uint64_t(H) + 1) * 4);
    rows.slot_table = b.head_slots.range();
    rows.y_gathered = floats(b.heads_out, 0, uint64_t(H) * T * n_dim);
    rows.rows = H * T;
    kernels::record_expert_matmul(ctx_, cmd, expert_window(weight), rows);
  };
  profile_as(cmd, KernelFamily::kAttention);
  per_head(w(layer, "attn_k_b.weight"), nope, lora);
  cmd.barrier();

  // Queries in latent space: (H, T, lora) → q_mla[:, :, :lora], roped q_pe → q_mla[:, :, lora:].
  const auto q_mla = floats(b.q_mla, 0, uint64_t(T) * H * latent);
  kernels::record_copy_strided(ctx_, cmd, b.heads_out.range(), q_mla, {T, H, lora, lora, T * lora, H * latent, latent});
  kernels::record_copy_strided(ctx_, cmd, q_pe_range, b.q_mla.range(uint64_t(lora) * 4, (uint64_t(T) * H * latent - lora) * 4),
                               {T, H, rope_dims, H * qk, qk, H * latent, latent});
  cmd.barrier();

  // One latent "head" in the cache serves every query head (multi-query).
  const CachedAttention attention = cached_attention(c, kv, layer, T, n_kv, {H, 1, latent, lora}, q_mla, positions, b.attn,
                                                     b.attn_scratch);
  profile_as(cmd, KernelFamily::kAttention, cache_rows(kv.keys(layer), n_kv, max_ctx), cache_rows(kv.values(layer), n_kv, max_ctx));
  kernels::record_attention(ctx_, cmd, attention.shape, attention.buffers);
  cmd.barrier();

  profile_as(cmd, KernelFamily::kAttention);
  kernels::record_copy_strided(ctx_, cmd, attention.buffers.out, b.heads_in.range(), {T, H, lora, H * lora, lora, lora, T * lora});
  cmd.barrier();
  per_head(w(layer, "attn_v_b.weight"), lora, vdim);
  cmd.barrier();
  const auto attn = floats(b.attn, 0, uint64_t(T) * H * vdim);
  kernels::record_copy_strided(ctx_, cmd, b.heads_out.range(), attn, {T, H, vdim, vdim, T * vdim, H * vdim, vdim});
  cmd.barrier();
  profile_as(cmd, KernelFamily::kOutputProjection);
  kernels::record_matmul(ctx_, cmd, matmul_weight(w(layer, "attn_output.weight")), attn,
                         floats(b.tmp, 0, uint64_t(T) * c.n_embd), T, std::nullopt, {},
                         residual_add_after(T, w(layer, ffn_norm_name(c)).range()));
  cmd.barrier();
}

}  // namespace vkmoe
