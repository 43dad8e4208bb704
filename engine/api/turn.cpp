#include "engine/api/turn.h"

#include <algorithm>

namespace vkmoe::api {
namespace {
double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

Turn::Turn(Session& session, const Tokenizer& tokenizer, UnitTimings& timings, TurnStats& stats, TurnSettings settings)
    : session_(session), tokenizer_(tokenizer), timings_(timings), stats_(stats), settings_(std::move(settings)),
      sampler_(settings_.sampling), decoder_(tokenizer, true), input_(settings_.input) {
  stats_.prompt_tokens += input_.size();
}

const StepOutput& Turn::step(double budget_us, bool blocking, bool cancel) {
  out_ = StepOutput{};
  if (finished_) {
    out_.state = VKMOE_STEP_FINISHED;
    out_.reason = reason_;
    return out_;
  }
  if (!started_) {
    started_ = true;
    t_start_ = Clock::now();
  }
  if (cancel) {
    finish(VKMOE_FINISH_CANCELLED);
    return out_;
  }
  if (awaiting_) {
    if (!session_.step_done()) {
      if (!blocking) return out_;
      session_.wait_step();
    }
    awaiting_ = false;
    if (!awaiting_row_) timings_.step_finished(step_tokens_);
    awaiting_row_ = false;
    if (fed_ == input_.size()) {
      const std::optional<uint32_t> token = draw_token();
      if (!token) {
        awaiting_ = awaiting_row_ = true;
        return out_;
      }
      take_token(*token);
      if (finished_) return out_;
    }
  } else if (!session_.gpu_idle()) {
    // A piece of this step, or of a cancelled turn's, is still on the GPU: submit nothing
    // more this frame (and never wait for it).
    if (!blocking) return out_;
    session_.wait_step();
  }
  record(budget_us, blocking);
  out_.state = out_.tokens.empty() ? VKMOE_STEP_WORKING : VKMOE_STEP_TOKEN_READY;
  return out_;
}

std::optional<uint32_t> Turn::draw_token() {
  switch (session_.step_readback()) {
    case StepReadback::kGreedyToken:
      return session_.step_greedy_token();
    case StepReadback::kCandidates:
      if (const auto token = sampler_.sample_candidates(session_.step_candidates(), generated_)) return token;
      // A frame never waits on the GPU: the row comes in a copy of its own, drawn from when done.
      session_.read_back_step_logits();
      return std::nullopt;
    case StepReadback::kLogits:
      break;
  }
  return sampler_.sample(session_.step_logits(), generated_);
}

void Turn::take_token(uint32_t id) {
  if (generated_.empty()) {
    t_first_token_ = Clock::now();
    stats_.prompt_seconds += seconds(t_first_token_ - t_start_);
  }
  if (tokenizer_.is_eog(id)) return finish(VKMOE_FINISH_END_OF_GENERATION);
  if (std::find(settings_.stop_tokens.begin(), settings_.stop_tokens.end(), id) != settings_.stop_tokens.end()) {
    return finish(VKMOE_FINISH_STOP_TOKEN);
  }
  generated_.push_back(id);
  ++stats_.generated_tokens;
  const std::string piece = decoder_.push(id);
  text_ += piece;
  out_.tokens.push_back(id);
  out_.text += piece;
  if (settings_.on_token && settings_.on_token(id, piece)) return finish(VKMOE_FINISH_CANCELLED);
  if (stop_string_reached(piece.size())) return finish(VKMOE_FINISH_STOP_STRING);
  if (settings_.max_new_tokens > 0 && generated_.size() >= settings_.max_new_tokens) return finish(VKMOE_FINISH_MAX_TOKENS);
  if (session_.position() >= session_.max_ctx()) return finish(VKMOE_FINISH_CONTEXT_FULL);
  input_.assign(1, id);
  fed_ = 0;
}

bool Turn::stop_string_reached(size_t new_bytes) const {
  for (const std::string& stop : settings_.stop_strings) {
    // Only a match that ends in the new bytes is new.
    const size_t from = text_.size() > stop.size() + new_bytes ? text_.size() - stop.size() - new_bytes : 0;
    if (!stop.empty() && text_.find(stop, from) != std::string::npos) return true;
  }
  return false;
}

void Turn::record(double budget_us, bool blocking) {
  if (!session_.step_in_progress()) {
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(session_.max_tokens(), input_.size() - fed_));
    // Only the step that ends the input is sampled; the readback of the others goes unread.
    std::optional<CandidateRequest> candidates;
    StepReadback readback = StepReadback::kLogits;
    if (sampler_.greedy()) {
      readback = StepReadback::kGreedyToken;
    } else if ((candidates = sampler_.candidate_request(generated_))) {
      readback = StepReadback::kCandidates;
    }
    session_.start_step(std::span(input_).subspan(fed_, n), readback, candidates.value_or(CandidateRequest{}));
    step_tokens_ = n;
    fed_ += n;
    timings_.begin_step(session_.step_cmd());
  }
  double spent = 0;
  while (session_.units_left() > 0) {
    const uint32_t unit = session_.next_unit();
    const std::optional<double> estimate = timings_.estimate_us(unit, step_tokens_);
    // At least one unit per call, so the turn always moves; an untimed unit goes alone.
    if (!blocking && out_.units > 0 && (!estimate || spent + *estimate > budget_us)) break;
    timings_.unit_begins(session_.step_cmd(), unit);
    session_.record_unit();
    timings_.unit_ends(session_.step_cmd(), unit);
    spent += estimate.value_or(0.0);
    ++out_.units;
  }
  const bool last = session_.units_left() == 0;
  session_.submit_piece();
  awaiting_ = last;
  out_.gpu_us = spent;
}

void Turn::finish(vkmoe_finish_reason reason) {
  finished_ = true;
  reason_ = reason;
  const std::string rest = decoder_.finish();
  text_ += rest;
  out_.text += rest;
  out_.state = VKMOE_STEP_FINISHED;
  out_.reason = reason;
  if (!generated_.empty()) stats_.generation_seconds += seconds(Clock::now() - t_first_token_);
}

}  // namespace vkmoe::api
