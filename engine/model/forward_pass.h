#pragma once
// One step of the model on the GPU: token ids in, logits out, every layer recorded into one
// command buffer with no host round trip — unless experts stream from host memory: then the
// step is cut after each MoE layer's routing, for the ExpertStore to bring its experts in. The same recording code serves prefill (many
// tokens) and decode (one): kernels pick their GEMV or tiled paths from the token count.
//
// Per layer:  attn_norm → attention (standard or multi-head latent) → + residual and ffn_norm
//             (one kernel) → dense FFN or MoE (router → top-k → dispatch → expert matmuls)
//             + shared expert → weighted scatter-add (or + residual) and the next layer's
//             attn_norm, or output_norm after the last layer (one kernel)
// then        lm_head → logits. Only the first layer's attn_norm is a kernel of its own.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "engine/experts/expert_store.h"
#include "engine/kernels/matmul.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model_weights.h"
#include "engine/model/step_submitter.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "loader/model/model_config.h"

namespace vkmoe::kernels {
struct MoeDispatchOutputs;
}

namespace vkmoe {

class CandidateReadback;
struct CandidateRequest;

struct ForwardOptions {
  uint32_t max_tokens = 128;    // tokens per step; longer prompts are fed in chunks
  uint32_t max_ctx = 4096;      // KV cache rows, for the attention scratch size
  bool capture_hidden = false;  // keep every layer's output (tests compare them)
};

class ForwardPass {
 public:
  // `experts` (may be null: every expert in VRAM) serves the expert matmuls when streaming.
  ForwardPass(vk::Context& ctx, const ModelConfig& config, const ModelWeights& weights, ExpertStore* experts,
              const ForwardOptions& options);
  ~ForwardPass();

  // Device memory the scratch tensors of a ForwardPass with these options take.
  static uint64_t scratch_bytes(vk::Context& ctx, const ModelConfig& config, bool streaming, const ForwardOptions& options);

  // Host-visible inputs of the next step: token ids and their positions, (max_tokens) uint32.
  uint32_t* token_ids();
  uint32_t* positions();

  // Records a step of `n_tokens` tokens whose ids/positions were written above into `steps`
  // (submitting pieces of it when experts stream); `n_kv` is the number of cache rows valid
  // after it (first position + n_tokens). Logits land in logits(): rows for every token when
  // all_logits, else one row for the last token.
  void record(StepSubmitter& steps, KvCache& kv, uint32_t n_tokens, uint32_t n_kv, bool all_logits);
  // The same step in three parts, so that it can be submitted in pieces between layers (the
  // frame-budgeted path): every layer reads and writes the scratch tensors in device memory,
  // which keep the state between submissions.
  void record_input(StepSubmitter& steps, uint32_t n_tokens);  // embedding lookup
  void record_layer(StepSubmitter& steps, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv);
  void record_output(vk::CommandBuffer& cmd, uint32_t n_tokens, bool all_logits);  // lm_head (the last layer normed)
  // After record_output: out (one uint32) = the index of the largest logit of logits() row 0.
  void record_greedy(vk::CommandBuffer& cmd, const vk::BufferRange& out);
  // After record_output: a sampler's candidates from logits() row 0 into `readback`.
  void record_candidates(vk::CommandBuffer& cmd, CandidateReadback& readback, const CandidateRequest& request);

  const vk::Buffer& logits() const;           // (max_tokens, n_vocab)
  // (n_layer + 1, max_tokens, n_embd): embeddings, each layer's output, and finally the
  // output of the final norm in place of the last layer's (transformers' convention).
  const vk::Buffer& hidden_states() const;

  const ModelConfig& config() const { return config_; }
  const ForwardOptions& options() const { return options_; }

  // Adds the last finished step's routing to `counts` (n_layer, n_expert): the tokens each
  // expert of each MoE layer served. Call once per step, after its GPU work has completed.
  void add_expert_usage(std::span<uint64_t> counts) const;

 // The scratch tensors, defined in forward_buffers.h for the forward_*.cpp files.
  struct Buffers;

 private:
  void record_embedding(vk::CommandBuffer& cmd, uint32_t n_tokens);
  void record_attention(vk::CommandBuffer& cmd, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv);
  void record_mla_attention(vk::CommandBuffer& cmd, KvCache& kv, uint32_t layer, uint32_t n_tokens, uint32_t n_kv);
  void record_dense_ffn(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens);
  void record_moe_ffn(StepSubmitter& steps, uint32_t layer, uint32_t n_tokens);
  void record_router(vk::CommandBuffer& cmd, uint32_t layer, const vk::BufferRange& xn, const vk::BufferRange& logits,
                     const vk::BufferRange& ids, const vk::BufferRange& weights, uint32_t n_tokens,
                     const kernels::MoeDispatchOutputs* plan = nullptr);
  struct ExpertDispatch;
  void record_expert_ffn(vk::CommandBuffer& cmd, uint32_t layer, std::span<const ExpertDispatch> dispatches,
                         uint32_t n_tokens, bool scatter_after);
  void stream_experts(StepSubmitter& steps, uint32_t layer, uint32_t n_tokens, bool scatter_after);
  void record_shared_expert(vk::CommandBuffer& cmd, uint32_t layer, uint32_t n_tokens);
  void capture(vk::CommandBuffer& cmd, uint32_t index, const vk::Buffer& from, uint32_t n_tokens);
  const DeviceTensor& w(uint32_t layer, const char* suffix) const;
  // The norm weight of what follows `layer`: the next layer's attn_norm, or output_norm.
  vk::BufferRange next_input_norm(uint32_t layer) const;
  // A one-token step's block-ending GEMV (attention output, dense FFN down) adds its row into
  // x and norms it into xn with `norm` weights; nullopt for longer steps, which take
  // record_add_rms_norm after the block.
  std::optional<kernels::ScatterAfter> residual_add_after(uint32_t n_tokens, const vk::BufferRange& norm) const;
  // One token's rows of a GEMV's y, weighted, added into x and normed into xn with `norm`.
  kernels::ScatterAfter scatter_into_residual(const vk::BufferRange& rows, const vk::BufferRange& weights,
                                              const vk::BufferRange& norm) const;
  const DeviceTensor* find(uint32_t layer, const char* suffix) const;

  vk::Context& ctx_;
  ModelConfig config_;
  const ModelWeights& weights_;
  ExpertStore* experts_;
  ForwardOptions options_;
  std::unique_ptr<Buffers> buffers_;
};

}  // namespace vkmoe
