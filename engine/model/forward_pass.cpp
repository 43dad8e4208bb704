#include "engine/model/forward_pass.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "engine/kernels/argmax.h"
#include "engine/model/candidate_readback.h"
#include "engine/kernels/attention.h"
#include "engine/kernels/elementwise.h"
#include "engine/kernels/embedding.h"
#include "engine/kernels/rms_norm.h"
#include "engine/experts/slot_tables.h"
#include "engine/model/forward_buffers.h"
#include "engine/profile/kernel_family.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

bool uses_mla(const ModelConfig& c) { return c.kv_lora_rank > 0; }

// The embedding table is read in its file type (quantized GGUFs store it quantized).
void check_embedding_type(const DeviceTensor& t) {
  if (!kernels::embedding_supports(t.type)) {
    throw Error(ErrorCode::kUnsupported, "token_embd.weight is " + std::string(tensor_type_info(t.type).name) +
                                             ", which vkmoe's embedding lookup does not decode");
  }
}

// Sizes (and, with a real `make`, allocates) every scratch tensor; scratch_bytes() passes a
// `make` that only counts, so the VRAM budget sees exactly what a ForwardPass will take.
using MakeBuffer = std::function<vk::Buffer(uint64_t bytes, vk::MemoryUsage usage)>;

void make_buffers(vk::Context& ctx, const ModelConfig& c, bool streaming, const ForwardOptions& options,
                  ForwardPass::Buffers& b, const MakeBuffer& make) {
  const uint64_t T = options.max_tokens;
  auto f32 = [&](uint64_t count) { return make(std::max<uint64_t>(count, 1) * 4, vk::MemoryUsage::kDeviceLocal); };
  auto u32 = f32;
  auto host_u32 = [&](uint64_t count) { return make(std::max<uint64_t>(count, 1) * 4, vk::MemoryUsage::kHostShared); };
  b.token_ids = host_u32(T);
  b.positions = host_u32(T);
  b.x = f32(T * c.n_embd);
  b.xn = f32(T * c.n_embd);
  b.tmp = f32(T * c.n_embd);

  uint32_t n_kv_heads = c.n_head_kv, hd_k = c.head_dim_k, hd_v = c.head_dim_v;
  if (uses_mla(c)) {
    // The absorbed form attends over the latent: one shared KV head of kv_lora + rope dims.
    uint32_t latent = c.kv_lora_rank + c.qk_rope_head_dim;
    n_kv_heads = 1;
    hd_k = latent;
    hd_v = c.kv_lora_rank;
    b.q_lora = f32(T * std::max(c.q_lora_rank, 1u));
    b.kv_latent = f32(T * latent);
    b.kv_row = f32(T * latent);
    uint32_t widest = std::max({c.qk_nope_head_dim, c.kv_lora_rank, c.head_dim_v});
    b.heads_in = f32(T * c.n_head * widest);
    b.heads_out = f32(T * c.n_head * widest);
    b.q_mla = f32(T * c.n_head * latent);
    b.head_offsets = host_u32(c.n_head + 1);
    b.head_slots = u32(c.n_head);
  }
  b.q = f32(T * c.n_head * c.head_dim_k);
  b.k = f32(T * c.n_head_kv * c.head_dim_k);
  b.v = f32(T * c.n_head_kv * c.head_dim_v);
  b.attn = f32(T * c.n_head * std::max(c.head_dim_v, hd_v));
  kernels::AttentionShape decode_shape;
  decode_shape.tokens = std::min<uint32_t>(options.max_tokens, kernels::kAttentionDecodeMaxTokens);
  decode_shape.n_head = c.n_head;
  decode_shape.n_head_kv = n_kv_heads;
  decode_shape.head_dim_k = hd_k;
  decode_shape.head_dim_v = hd_v;
  decode_shape.n_kv = options.max_ctx;
  decode_shape.max_ctx = options.max_ctx;
  decode_shape.path = kernels::AttentionPath::kDecode;
  b.attn_scratch = make(std::max<uint64_t>(kernels::attention_scratch_bytes(ctx, decode_shape), 4), vk::MemoryUsage::kDeviceLocal);

  uint64_t ff_rows = 0;
  if (c.n_expert > 0) {
    uint64_t rows = T * c.n_expert_used;
    b.router_logits = f32(T * c.n_expert);
    b.expert_ids = u32(rows);
    b.expert_weights = f32(rows);
    b.expert_offsets = u32(uint64_t(c.n_expert) + 1);
    b.expert_rows = u32(rows);
    b.expert_sources = u32(rows);
    b.expert_gemv_tiles = u32(2ull * kernels::expert_gemv_tiles(static_cast<uint32_t>(rows), c.n_expert));
    b.expert_usage_readback = make(uint64_t(c.n_layer) * (c.n_expert + 1) * 4, vk::MemoryUsage::kReadback);
    b.y_grouped = f32(rows * c.n_embd);
    ff_rows = std::max<uint64_t>(ff_rows, rows * c.n_ff_expert);
    if (c.n_ff_shared > 0) {
      b.shared_out = f32(T * c.n_embd);
      b.shared_scale = f32(T);
      ff_rows = std::max<uint64_t>(ff_rows, T * c.n_ff_shared);
    }
    if (streaming) {
      b.routing_readback = make((uint64_t(c.n_expert) + 1 + rows) * 4, vk::MemoryUsage::kReadback);
      b.xn_next = f32(T * c.n_embd);
      b.predicted_logits = f32(T * c.n_expert);
      b.predicted_ids = u32(rows);
      b.predicted_weights = f32(rows);
    }
  }
  ff_rows = std::max<uint64_t>(ff_rows, T * c.n_ff);
  b.gate = f32(ff_rows);
  b.up = f32(ff_rows);
  b.logits = f32(T * c.n_vocab);
  b.ticket = u32(1);
  b.unit_row = u32(1);
  b.unit_weight = f32(1);
  if (options.capture_hidden) b.hidden = f32((uint64_t(c.n_layer) + 1) * T * c.n_embd);
}

void make_expert_windows(vk::Context& ctx, const ModelConfig& c, const ModelWeights& weights, ForwardPass::Buffers& b) {
  const uint64_t stride = SlotTables::stride(ctx.caps(), c.n_expert);
  std::vector<uint32_t> tables;
  b.expert_windows.resize(c.n_layer);
  for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
    if (!is_moe_layer(c, layer)) continue;
    const uint32_t per = experts_per_binding(ctx.caps(), weights, layer, c.n_expert);
    for (uint32_t first = 0; first < c.n_expert; first += per) {
      const uint32_t count = std::min(per, c.n_expert - first);
      const size_t at = tables.size();
      tables.resize(at + stride / 4, kernels::kAbsentSlot);
      for (uint32_t e = first; e < first + count; ++e) tables[at + e] = e - first;
      b.expert_windows[layer].push_back({first, count, {}});
    }
  }
  b.window_tables = ctx.create_buffer(std::max<uint64_t>(tables.size(), 1) * 4);
  ctx.upload(b.window_tables, 0, {reinterpret_cast<const uint8_t*>(tables.data()), tables.size() * 4});
  uint64_t offset = 0;
  for (auto& windows : b.expert_windows) {
    for (auto& w : windows) {
      w.table = b.window_tables.range(offset, uint64_t(c.n_expert) * 4);
      offset += stride;
    }
  }
}

void upload_identity(vk::Context& ctx, const vk::Buffer& table, uint32_t n) {
  std::vector<uint32_t> identity(n);
  for (uint32_t i = 0; i < n; ++i) identity[i] = i;
  ctx.upload(table, 0, {reinterpret_cast<const uint8_t*>(identity.data()), identity.size() * 4});
}

}  // namespace

ForwardPass::ForwardPass(vk::Context& ctx, const ModelConfig& config, const ModelWeights& weights, ExpertStore* experts,
                         const ForwardOptions& options)
    : ctx_(ctx), config_(config), weights_(weights), experts_(experts), options_(options),
      buffers_(std::make_unique<Buffers>()) {
  if (options.max_tokens == 0) throw Error(ErrorCode::kInvalidArgument, "max_tokens must be at least 1");
  check_embedding_type(weights.get("token_embd.weight"));
  Buffers& b = *buffers_;
  make_buffers(ctx, config_, experts != nullptr, options, b,
               [&](uint64_t bytes, vk::MemoryUsage usage) { return ctx.create_buffer(bytes, usage); });
  if (uses_mla(config_)) upload_identity(ctx, b.head_slots, config_.n_head);
  if (config_.n_expert > 0 && experts == nullptr) make_expert_windows(ctx, config_, weights, b);
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.fill(b.ticket.range(), 0);
    cmd.fill(b.unit_row.range(), 0);
    cmd.fill(b.unit_weight.range(), 0x3f800000u);  // 1.0f
  });
}

uint64_t ForwardPass::scratch_bytes(vk::Context& ctx, const ModelConfig& config, bool streaming,
                                    const ForwardOptions& options) {
  uint64_t total = 0;
  Buffers counted;
  make_buffers(ctx, config, streaming, options, counted, [&](uint64_t bytes, vk::MemoryUsage usage) {
    if (usage == vk::MemoryUsage::kDeviceLocal) total += bytes;
    return vk::Buffer();
  });
  return total;
}

ForwardPass::~ForwardPass() = default;

uint32_t* ForwardPass::token_ids() { return static_cast<uint32_t*>(buffers_->token_ids.mapped()); }
uint32_t* ForwardPass::positions() { return static_cast<uint32_t*>(buffers_->positions.mapped()); }
const vk::Buffer& ForwardPass::logits() const { return buffers_->logits; }
const vk::Buffer& ForwardPass::hidden_states() const { return buffers_->hidden; }

const DeviceTensor* ForwardPass::find(uint32_t layer, const char* suffix) const {
  return weights_.find("blk." + std::to_string(layer) + "." + suffix);
}

const DeviceTensor& ForwardPass::w(uint32_t layer, const char* suffix) const {
  return weights_.get("blk." + std::to_string(layer) + "." + suffix);
}

void ForwardPass::capture(vk::CommandBuffer& cmd, uint32_t index, const vk::Buffer& from, uint32_t n_tokens) {
  if (!options_.capture_hidden) return;
  uint64_t bytes = uint64_t(n_tokens) * config_.n_embd * 4;
  uint64_t slot = uint64_t(options_.max_tokens) * config_.n_embd * 4;
  cmd.copy(from.range(0, bytes), buffers_->hidden.range(index * slot, bytes));
  cmd.barrier();
}

void ForwardPass::record_embedding(vk::CommandBuffer& cmd, uint32_t n_tokens) {
  const DeviceTensor& table = weights_.get("token_embd.weight");
  profile_as(cmd, KernelFamily::kEmbedding, {table.range(), table.range().size / config_.n_vocab * n_tokens});
  kernels::record_embedding(ctx_, cmd, table.type, table.range(), buffers_->token_ids.range(0, n_tokens * 4),
                            buffers_->x.range(), n_tokens, config_.n_vocab, config_.n_embd);
  cmd.barrier();
}

void ForwardPass::record(StepSubmitter& steps, KvCache& kv, uint32_t n_tokens, uint32_t n_kv, bool all_logits) {
  record_input(steps, n_tokens);
  for (uint32_t layer = 0; layer < config_.n_layer; ++layer) record_layer(steps, kv, layer, n_tokens, n_kv);
  record_output(steps.cmd(), n_tokens, all_logits);
}

void ForwardPass::record_input(StepSubmitter& steps, uint32_t n_tokens) {
  if (n_tokens == 0 || n_tokens > options_.max_tokens) {
    throw Error(ErrorCode::kInternal, "forward pass: step of " + std::to_string(n_tokens) + " tokens (max " +
                                          std::to_string(options_.max_tokens) + ")");
  }
  if (experts_ != nullptr) experts_->begin_step();
  record_embedding(steps.cmd(), n_tokens);
  capture(steps.cmd(), 0, buffers_->x, n_tokens);
}

void ForwardPass::record_layer(StepSubmitter& steps, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  const uint64_t th = uint64_t(n_tokens) * c.n_embd;
  // The MoE block may submit and continue in a new command buffer: fetch it per block.
  // Every layer ends by norming its output for the next one (record_next_input_norm), so only
  // the first layer norms its own input.
  if (layer == 0) {
    profile_as(steps.cmd(), KernelFamily::kNorm);
    kernels::record_rms_norm(ctx_, steps.cmd(), floats(b.x, 0, th), w(layer, "attn_norm.weight").range(),
                             floats(b.xn, 0, th), c.n_embd, n_tokens, c.rms_norm_eps);
    steps.cmd().barrier();
  }
  if (uses_mla(c)) {
    record_mla_attention(steps.cmd(), kv, layer, n_tokens, n_kv);
  } else {
    record_attention(steps.cmd(), kv, layer, n_tokens, n_kv);
  }
  // The attention output joins the residual stream and is normed for the FFN in one kernel
  // (in a one-token step, the output projection's own epilogue).
  const vk::BufferRange ffn_norm = w(layer, ffn_norm_name(c)).range();
  if (!residual_add_after(n_tokens, ffn_norm)) {
    profile_as(steps.cmd(), KernelFamily::kNorm);
    kernels::record_add_rms_norm(ctx_, steps.cmd(), floats(b.x, 0, th), floats(b.tmp, 0, th), ffn_norm,
                                 floats(b.xn, 0, th), c.n_embd, n_tokens, c.rms_norm_eps);
    steps.cmd().barrier();
  }
  if (is_moe_layer(c, layer)) {
    record_moe_ffn(steps, layer, n_tokens);  // adds into the residual stream itself
  } else {
    record_dense_ffn(steps.cmd(), layer, n_tokens);
    if (!residual_add_after(n_tokens, next_input_norm(layer))) {
      profile_as(steps.cmd(), KernelFamily::kNorm);
      kernels::record_add_rms_norm(ctx_, steps.cmd(), floats(b.x, 0, th), floats(b.tmp, 0, th),
                                   next_input_norm(layer), floats(b.xn, 0, th), c.n_embd, n_tokens, c.rms_norm_eps);
      steps.cmd().barrier();
    }
  }
  if (layer + 1 < c.n_layer) capture(steps.cmd(), layer + 1, b.x, n_tokens);
}

void ForwardPass::record_output(vk::CommandBuffer& cmd, uint32_t n_tokens, bool all_logits) {
  const auto& c = config_;
  Buffers& b = *buffers_;
  // The last layer left xn = output_norm(x).
  capture(cmd, c.n_layer, b.xn, n_tokens);
  const DeviceTensor* head = weights_.find("output.weight");
  if (head == nullptr) head = &weights_.get("token_embd.weight");
  uint32_t rows = all_logits ? n_tokens : 1;
  uint64_t first = all_logits ? 0 : uint64_t(n_tokens - 1) * c.n_embd;
  profile_as(cmd, KernelFamily::kLmHead);
  kernels::record_matmul(ctx_, cmd, matmul_weight(*head), floats(b.xn, first, uint64_t(rows) * c.n_embd),
                         floats(b.logits, 0, uint64_t(rows) * c.n_vocab), rows);
  cmd.barrier();
}

kernels::ScatterAfter ForwardPass::scatter_into_residual(const vk::BufferRange& rows, const vk::BufferRange& weights,
                                                        const vk::BufferRange& norm) const {
  const Buffers& b = *buffers_;
  const uint64_t H = config_.n_embd;
  return {rows, weights, floats(b.x, 0, H), norm, floats(b.xn, 0, H), b.ticket.range(), config_.rms_norm_eps};
}

std::optional<kernels::ScatterAfter> ForwardPass::residual_add_after(uint32_t n_tokens, const vk::BufferRange& norm) const {
  if (n_tokens != 1) return std::nullopt;
  return scatter_into_residual(buffers_->unit_row.range(), buffers_->unit_weight.range(), norm);
}

vk::BufferRange ForwardPass::next_input_norm(uint32_t layer) const {
  return layer + 1 < config_.n_layer ? w(layer + 1, "attn_norm.weight").range() : weights_.get("output_norm.weight").range();
}

void ForwardPass::record_greedy(vk::CommandBuffer& cmd, const vk::BufferRange& out) {
  profile_as(cmd, KernelFamily::kSampling);
  kernels::record_argmax(ctx_, cmd, floats(buffers_->logits, 0, config_.n_vocab), out, config_.n_vocab, 1);
  cmd.barrier();
}

void ForwardPass::record_candidates(vk::CommandBuffer& cmd, CandidateReadback& readback, const CandidateRequest& request) {
  profile_as(cmd, KernelFamily::kSampling);
  readback.record(cmd, floats(buffers_->logits, 0, config_.n_vocab), request);
}

void ForwardPass::add_expert_usage(std::span<uint64_t> counts) const {
  const auto& c = config_;
  Buffers& b = *buffers_;
  if (c.n_expert == 0) return;
  b.expert_usage_readback.invalidate(0, b.expert_usage_readback.size());
  const auto* offsets = static_cast<const uint32_t*>(b.expert_usage_readback.mapped());
  for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
    if (!is_moe_layer(c, layer)) continue;  // never written
    const uint32_t* o = offsets + uint64_t(layer) * (c.n_expert + 1);
    for (uint32_t e = 0; e < c.n_expert; ++e) counts[uint64_t(layer) * c.n_expert + e] += o[e + 1] - o[e];
  }
}

}  // namespace vkmoe
