#include "engine/model/session.h"

#include <algorithm>

#include "loader/base/error.h"

namespace vkmoe {

ModelOptions model_options_for(const SessionOptions& session, const ExpertOptions& experts) {
  ModelOptions o;
  o.experts = experts;
  o.max_ctx = session.max_ctx;
  o.max_tokens = session.max_tokens;
  o.kv_cache_type = session.kv_cache_type;
  return o;
}

Session::Session(const Model& model, const SessionOptions& options) : model_(model), options_(options) {
  const auto& c = model.config();
  uint32_t max_ctx = session_max_ctx(c, options.max_ctx);
  kv_layout_ = KvCacheLayout::for_model(c, max_ctx, options.kv_cache_type);
  vk::Context& ctx = model.context();
  kv_ = std::make_unique<KvCache>(ctx, kv_layout_);
  ForwardOptions fo;
  fo.max_tokens = options.max_tokens;
  fo.max_ctx = max_ctx;
  fo.capture_hidden = options.capture_hidden;
  forward_ = std::make_unique<ForwardPass>(ctx, c, model.weights(), model.experts(), fo);
  if (options.profile) {
    profiler_ = vk::CommandProfiler::create(ctx.device());
    profile_ = std::make_unique<StepProfile>();
  }
  steps_ = std::make_unique<StepSubmitter>(ctx, profiler_.get());
  expert_usage_.assign(uint64_t(c.n_layer) * c.n_expert, 0);
}

Session::~Session() {
  // A frame-budgeted step may still be running on the GPU; its buffers must outlive it.
  if (steps_) steps_->wait_done();
}

void Session::check_tokens(std::span<const uint32_t> tokens) const {
  const auto& c = model_.config();
  if (tokens.empty()) throw Error(ErrorCode::kInvalidArgument, "eval: no tokens given");
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] >= c.n_vocab) {
      throw Error(ErrorCode::kInvalidArgument, "token id " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                                                   " is outside the vocabulary of " + std::to_string(c.n_vocab));
    }
  }
  if (tokens.size() > kv_layout_.max_ctx - position_) {
    throw Error(ErrorCode::kContextOverflow, "context overflow: " + std::to_string(position_) + " tokens held + " +
                                                 std::to_string(tokens.size()) + " new exceed the context of " +
                                                 std::to_string(kv_layout_.max_ctx));
  }
}

std::vector<float> Session::eval(std::span<const uint32_t> tokens, bool all_logits) {
  std::vector<float> out;
  run_steps(tokens, all_logits, StepReadback::kLogits, &out);
  return out;
}

uint32_t Session::eval_greedy(std::span<const uint32_t> tokens) {
  run_steps(tokens, false, StepReadback::kGreedyToken, nullptr);
  return read_greedy_token();
}

LogitCandidates Session::eval_candidates(std::span<const uint32_t> tokens, const CandidateRequest& request) {
  run_steps(tokens, false, StepReadback::kCandidates, nullptr, request);
  return candidate_readback().read();
}

std::vector<float> Session::last_logits() {
  if (last_step_tokens_ == 0) throw Error(ErrorCode::kInternal, "last_logits: no step has run");
  steps_->wait_done();
  std::vector<float> out(model_.config().n_vocab);
  model_.context().download(forward_->logits(), 0, {reinterpret_cast<uint8_t*>(out.data()), out.size() * 4});
  return out;
}

void Session::run_steps(std::span<const uint32_t> tokens, bool all_logits, StepReadback readback, std::vector<float>* out,
                        const CandidateRequest& candidates) {
  const auto& c = model_.config();
  check_tokens(tokens);
  steps_->wait_done();
  collect_expert_usage();
  stepping_ = false;
  vk::Context& ctx = model_.context();
  const uint64_t vocab = c.n_vocab;
  for (size_t done = 0; done < tokens.size();) {
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(options_.max_tokens, tokens.size() - done));
    bool last_chunk = done + n == tokens.size();
    for (uint32_t i = 0; i < n; ++i) {
      forward_->token_ids()[i] = tokens[done + i];
      forward_->positions()[i] = position_ + i;
    }
    steps_->begin_step();
    forward_->record(*steps_, *kv_, n, position_ + n, all_logits);
    if (last_chunk && readback != StepReadback::kLogits) record_readback(readback, candidates);
    steps_->finish();
    if (profile_) profile_->add(profiler_->finish_step(), n);
    usage_pending_ = true;
    collect_expert_usage();
    position_ += n;
    last_step_tokens_ = n;
    if (out != nullptr && (all_logits || last_chunk)) {
      uint64_t rows = all_logits ? n : 1;
      size_t at = out->size();
      out->resize(at + rows * vocab);
      ctx.download(forward_->logits(), 0, {reinterpret_cast<uint8_t*>(out->data() + at), rows * vocab * 4});
    }
    done += n;
  }
}

void Session::record_readback(StepReadback readback, const CandidateRequest& candidates) {
  vk::CommandBuffer& cmd = steps_->cmd();
  switch (readback) {
    case StepReadback::kGreedyToken:
      forward_->record_greedy(cmd, readback_buffer(readback).range());
      break;
    case StepReadback::kCandidates:
      forward_->record_candidates(cmd, candidate_readback(), candidates);
      break;
    case StepReadback::kLogits: {
      const vk::Buffer& logits = readback_buffer(readback);
      cmd.copy(forward_->logits().range(0, logits.size()), logits.range());
      cmd.barrier();
      break;
    }
  }
}

CandidateReadback& Session::candidate_readback() {
  if (!candidate_readback_) candidate_readback_ = std::make_unique<CandidateReadback>(model_.context(), model_.config().n_vocab);
  return *candidate_readback_;
}

const vk::Buffer& Session::readback_buffer(StepReadback readback) {
  vk::Buffer& buffer = readback == StepReadback::kLogits ? logits_readback_ : greedy_readback_;
  if (!buffer.valid()) {
    const uint64_t bytes = readback == StepReadback::kLogits ? uint64_t(model_.config().n_vocab) * 4 : 4;
    buffer = model_.context().create_buffer(bytes, vk::MemoryUsage::kReadback);
  }
  return buffer;
}

uint32_t Session::read_greedy_token() {
  greedy_readback_.invalidate(0, 4);
  return *static_cast<const uint32_t*>(greedy_readback_.mapped());
}

void Session::start_step(std::span<const uint32_t> tokens, StepReadback readback, const CandidateRequest& candidates) {
  check_tokens(tokens);
  if (tokens.size() > options_.max_tokens) {
    throw Error(ErrorCode::kInvalidArgument, "a step takes at most " + std::to_string(options_.max_tokens) + " tokens, not " +
                                                 std::to_string(tokens.size()));
  }
  steps_->wait_done();  // an abandoned step's pieces; the host inputs below are theirs too
  collect_expert_usage();
  const uint32_t n = static_cast<uint32_t>(tokens.size());
  for (uint32_t i = 0; i < n; ++i) {
    forward_->token_ids()[i] = tokens[i];
    forward_->positions()[i] = position_ + i;
  }
  steps_->begin_step();
  stepping_ = true;
  next_unit_ = 0;
  step_tokens_ = n;
  step_readback_ = readback;
  step_candidates_ = candidates;
}

void Session::record_unit() {
  if (!stepping_ || units_left() == 0) throw Error(ErrorCode::kInternal, "record_unit: no unit left to record");
  const uint32_t n_layer = model_.config().n_layer;
  if (next_unit_ == 0) {
    forward_->record_input(*steps_, step_tokens_);
  } else if (next_unit_ <= n_layer) {
    forward_->record_layer(*steps_, *kv_, next_unit_ - 1, step_tokens_, position_ + step_tokens_);
  } else {
    forward_->record_output(steps_->cmd(), step_tokens_, false);
    record_readback(step_readback_, step_candidates_);
  }
  ++next_unit_;
}

void Session::submit_piece() {
  if (!stepping_) throw Error(ErrorCode::kInternal, "submit_piece: no step in progress");
  if (units_left() > 0) {
    steps_->submit();
    return;
  }
  steps_->submit_last();
  usage_pending_ = true;
  // The KV rows of these tokens are written once the GPU gets there; nothing can stop it now.
  position_ += step_tokens_;
  last_step_tokens_ = step_tokens_;
  stepping_ = false;
}

bool Session::step_done() const { return !stepping_ && steps_->done(); }

std::span<const float> Session::step_logits() {
  if (!step_done() || step_readback_ != StepReadback::kLogits || !logits_readback_.valid()) {
    throw Error(ErrorCode::kInternal, "step_logits: no finished step that read back logits");
  }
  collect_expert_usage();
  logits_readback_.invalidate(0, logits_readback_.size());
  return {static_cast<const float*>(logits_readback_.mapped()), model_.config().n_vocab};
}

uint32_t Session::step_greedy_token() {
  if (!step_done() || step_readback_ != StepReadback::kGreedyToken || !greedy_readback_.valid()) {
    throw Error(ErrorCode::kInternal, "step_greedy_token: no finished step that read back a greedy token");
  }
  collect_expert_usage();
  return read_greedy_token();
}

LogitCandidates Session::step_candidates() {
  if (!step_done() || step_readback_ != StepReadback::kCandidates || !candidate_readback_) {
    throw Error(ErrorCode::kInternal, "step_candidates: no finished step that read back candidates");
  }
  collect_expert_usage();
  return candidate_readback_->read();
}

void Session::read_back_step_logits() {
  if (!step_done() || step_readback_ != StepReadback::kCandidates) {
    throw Error(ErrorCode::kInternal, "read_back_step_logits: no finished step that read back candidates");
  }
  collect_expert_usage();
  steps_->begin_step();
  record_readback(StepReadback::kLogits, {});
  steps_->submit_last();
  step_readback_ = StepReadback::kLogits;
}

void Session::rewind(uint32_t position) {
  if (position > position_) {
    throw Error(ErrorCode::kInvalidArgument, "rewind to " + std::to_string(position) + " is past the session's position " +
                                                 std::to_string(position_));
  }
  stepping_ = false;  // a half-recorded step is abandoned
  position_ = position;
}

std::vector<float> Session::hidden_states() const {
  if (!options_.capture_hidden) throw Error(ErrorCode::kInvalidArgument, "hidden_states: the session does not capture them");
  const auto& c = model_.config();
  const uint64_t slot = uint64_t(options_.max_tokens) * c.n_embd;
  const uint64_t used = uint64_t(last_step_tokens_) * c.n_embd;
  std::vector<float> out((c.n_layer + 1) * used);
  for (uint32_t i = 0; i <= c.n_layer; ++i) {
    model_.context().download(forward_->hidden_states(), i * slot * 4,
                              {reinterpret_cast<uint8_t*>(out.data() + i * used), used * 4});
  }
  return out;
}

void Session::collect_expert_usage() {
  if (!usage_pending_ || !steps_->done()) return;
  forward_->add_expert_usage(expert_usage_);
  usage_pending_ = false;
}

std::span<const uint64_t> Session::expert_usage() {
  collect_expert_usage();
  return expert_usage_;
}

void Session::reset_expert_usage() {
  collect_expert_usage();  // a finished step's routing belongs before the reset
  std::fill(expert_usage_.begin(), expert_usage_.end(), 0);
}

}  // namespace vkmoe
