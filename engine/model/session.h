#pragma once
// A conversation with a model: its own KV cache and position. Several sessions may share one
// Model. eval() feeds tokens (a prompt, in chunks of max_tokens, or one generated token) and
// returns next-token logits; bad input throws and leaves the session as it was.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/model/candidate_readback.h"
#include "engine/model/forward_pass.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/model/step_submitter.h"
#include "engine/profile/step_profile.h"
#include "engine/vk/command_profiler.h"

namespace vkmoe {

struct SessionOptions {
  uint32_t max_ctx = 0;        // 0: the model's training context, at most 4096
  uint32_t max_tokens = 128;   // tokens per GPU step
  kernels::KvCacheType kv_cache_type = kernels::KvCacheType::kF16;
  bool capture_hidden = false; // keep per-layer outputs of the last step (tests)
  bool profile = false;        // time every kernel of every step with GPU timestamps
};

// What a step reads back for its last token: every logit, only the greedy token (the argmax
// taken on the GPU: 4 bytes instead of n_vocab floats), or a sampler's candidates (the tokens
// its cuts can keep, CandidateRequest).
enum class StepReadback { kLogits, kGreedyToken, kCandidates };

// Model options whose VRAM budget keeps room for the KV cache and scratch of such a session.
ModelOptions model_options_for(const SessionOptions& session, const ExpertOptions& experts);

class Session {
 public:
  Session(const Model& model, const SessionOptions& options);
  ~Session();

  // Logits (n_vocab) after the last token, or (tokens.size(), n_vocab) when all_logits.
  // Throws kInvalidArgument for an empty input or an id outside the vocabulary, and
  // kContextOverflow when the tokens do not fit; the session is unchanged then.
  std::vector<float> eval(std::span<const uint32_t> tokens, bool all_logits = false);
  // The same step, returning only the greedy next token (the lowest index among equal
  // largest logits, as argmax() on eval's logits); the logits never leave the GPU.
  uint32_t eval_greedy(std::span<const uint32_t> tokens);
  // The same step, returning the candidates `request` asks for (Sampler::candidate_request);
  // they stay valid until the next step.
  LogitCandidates eval_candidates(std::span<const uint32_t> tokens, const CandidateRequest& request);
  // The logits after the last token of the last step, read back now (row 0 of the logits, so
  // not after eval(..., all_logits = true)): for a sampler that the candidates did not settle.
  std::vector<float> last_logits();

  // The frame-budgeted path: one step recorded and submitted in pieces between layers, never
  // waiting on the GPU. start_step(tokens) (at most max_tokens, checked as eval() checks them),
  // then record_unit() until units_left() is 0, with submit_piece() whenever the caller wants
  // the GPU to start on what was recorded; the piece after the last unit finishes the step,
  // and once step_done() step_logits() holds its last token's row. A step abandoned half way
  // (cancel) is forgotten by the next start_step(), which first waits for its submitted pieces.
  // `candidates` is what a kCandidates step reads back.
  void start_step(std::span<const uint32_t> tokens, StepReadback readback = StepReadback::kLogits,
                  const CandidateRequest& candidates = {});
  uint32_t unit_count() const { return model_.config().n_layer + 2; }  // input, layers, output
  uint32_t next_unit() const { return next_unit_; }
  uint32_t units_left() const { return unit_count() - next_unit_; }
  vk::CommandBuffer& step_cmd() { return steps_->cmd(); }
  void record_unit();
  void submit_piece();
  bool step_in_progress() const { return stepping_; }
  bool step_done() const;
  bool gpu_idle() const { return steps_->done(); }  // every submitted piece has finished
  void wait_step() const { steps_->wait_done(); }
  std::span<const float> step_logits();         // after a kLogits step
  uint32_t step_greedy_token();                  // after a kGreedyToken step
  LogitCandidates step_candidates();             // after a kCandidates step
  // After a finished kCandidates step whose candidates did not settle the draw: submits the
  // copy of its logits row without waiting; once step_done(), step_logits() returns it.
  void read_back_step_logits();
  StepReadback step_readback() const { return step_readback_; }  // of the step started last

  uint32_t position() const { return position_; }
  uint32_t max_ctx() const { return kv_layout_.max_ctx; }
  uint32_t max_tokens() const { return options_.max_tokens; }
  void reset() { rewind(0); }
  // Forgets everything after `position` (a chat keeps the prefix its next prompt shares).
  void rewind(uint32_t position);
  // (n_layer + 1, T, n_embd) of the last step, when capture_hidden (T = that step's tokens).
  std::vector<float> hidden_states() const;
  // The steps evaluated since the profile was last cleared (assign {} to clear); null
  // unless options.profile.
  StepProfile* profile() { return profile_.get(); }

  // (n_layer, n_expert): how many tokens each routed expert served in this session's finished
  // steps since it was created or reset_expert_usage(); dense layers stay 0. A step still on
  // the GPU counts once it is done.
  std::span<const uint64_t> expert_usage();
  void reset_expert_usage();

 private:
  const Model& model_;
  SessionOptions options_;
  KvCacheLayout kv_layout_;
  std::unique_ptr<KvCache> kv_;
  std::unique_ptr<ForwardPass> forward_;
  std::unique_ptr<vk::CommandProfiler> profiler_;
  std::unique_ptr<StepProfile> profile_;
  std::unique_ptr<StepSubmitter> steps_;
  uint32_t position_ = 0;
  uint32_t last_step_tokens_ = 0;
  void check_tokens(std::span<const uint32_t> tokens) const;
  // eval's steps; `out` gets the logits when readback is kLogits.
  void run_steps(std::span<const uint32_t> tokens, bool all_logits, StepReadback readback, std::vector<float>* out,
                 const CandidateRequest& candidates = {});
  // Records the readback of a step's last token after its logits.
  void record_readback(StepReadback readback, const CandidateRequest& candidates);
  CandidateReadback& candidate_readback();
  const vk::Buffer& readback_buffer(StepReadback readback);
  uint32_t read_greedy_token();
  // Adds the routing of the last submitted step once its GPU work is done.
  void collect_expert_usage();
  std::vector<uint64_t> expert_usage_;
  bool usage_pending_ = false;
  // The frame-budgeted step in progress.
  bool stepping_ = false;
  uint32_t next_unit_ = 0;
  uint32_t step_tokens_ = 0;
  StepReadback step_readback_ = StepReadback::kLogits;
  CandidateRequest step_candidates_;
  vk::Buffer logits_readback_;  // (n_vocab) floats, host-visible
  vk::Buffer greedy_readback_;  // one uint32, host-visible, written by the argmax kernel
  std::unique_ptr<CandidateReadback> candidate_readback_;
};

}  // namespace vkmoe
