#pragma once
// One turn of a session: input tokens in, generated tokens out, run as model steps that the
// caller advances call by call. Each call collects finished GPU work (sampling a token when a
// step has ended), then records and submits units of the next step (embedding, layers,
// output) up to a budget of estimated GPU microseconds, cut between layers. Nothing waits on
// the GPU unless the caller asks to block.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api/unit_timings.h"
#include "engine/model/session.h"
#include "engine/sampler/sampler.h"
#include "loader/tokenizer/tokenizer.h"
#include "vkmoe/vkmoe.h"

namespace vkmoe::api {

struct TurnSettings {
  std::vector<uint32_t> input;
  uint32_t max_new_tokens = 0;  // 0: no limit
  SamplingParams sampling;
  std::vector<std::string> stop_strings;
  std::vector<uint32_t> stop_tokens;
  // Told each generated token and its text; returns true to end the turn.
  std::function<bool(uint32_t token, std::string_view piece)> on_token;
};

// What the session's turns have done since its statistics were reset.
struct TurnStats {
  uint64_t prompt_tokens = 0;
  double prompt_seconds = 0;
  uint64_t generated_tokens = 0;
  double generation_seconds = 0;
};

struct StepOutput {
  vkmoe_step_state state = VKMOE_STEP_WORKING;
  vkmoe_finish_reason reason = VKMOE_FINISH_NONE;
  std::vector<uint32_t> tokens;
  std::string text;
  double gpu_us = 0;
  uint32_t units = 0;
};

class Turn {
 public:
  Turn(Session& session, const Tokenizer& tokenizer, UnitTimings& timings, TurnStats& stats, TurnSettings settings);

  // budget_us bounds the estimated GPU time submitted (ignored when blocking: a blocking call
  // records whole steps and waits for each).
  const StepOutput& step(double budget_us, bool blocking, bool cancel);
  bool finished() const { return finished_; }
  const std::vector<uint32_t>& generated() const { return generated_; }
  const std::string& text() const { return text_; }
  vkmoe_finish_reason reason() const { return reason_; }

 private:
  using Clock = std::chrono::steady_clock;
  void take_token(uint32_t id);  // the sampled (or GPU greedy) next token
  // From what the finished step read back; nullopt while its logits row is on its way (the
  // candidates did not settle the draw).
  std::optional<uint32_t> draw_token();
  void record(double budget_us, bool blocking);
  void finish(vkmoe_finish_reason reason);
  bool stop_string_reached(size_t new_bytes) const;

  Session& session_;
  const Tokenizer& tokenizer_;
  UnitTimings& timings_;
  TurnStats& stats_;
  TurnSettings settings_;
  Sampler sampler_;
  StreamingDecoder decoder_;
  std::vector<uint32_t> input_;  // what the next steps feed: the prompt, then each sampled token
  size_t fed_ = 0;
  uint32_t step_tokens_ = 0;
  bool awaiting_ = false;        // a whole step is submitted; its logits come when it finishes
  bool awaiting_row_ = false;    // what is awaited is only the copy of a finished step's logits
  bool started_ = false;
  bool finished_ = false;
  vkmoe_finish_reason reason_ = VKMOE_FINISH_NONE;
  std::vector<uint32_t> generated_;
  std::string text_;
  Clock::time_point t_start_, t_first_token_;
  StepOutput out_;
};

}  // namespace vkmoe::api
