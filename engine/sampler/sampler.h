#pragma once
// Picks the next token from one row of logits. Greedy when temperature is 0; otherwise, in
// this order: repetition penalty → temperature → top-k → softmax → top-p → min-p → a draw
// from a seeded generator, so a seed reproduces a run.
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "engine/sampler/logit_candidates.h"

namespace vkmoe {

struct SamplingParams {
  float temperature = 0.0f;
  uint32_t top_k = 0;               // 0 = off
  float top_p = 1.0f;               // 1 = off
  float min_p = 0.0f;               // 0 = off; keeps tokens with p >= min_p * p_max
  float repetition_penalty = 1.0f;  // 1 = off; divides positive logits, multiplies negative
  uint32_t repetition_window = 64;  // how many recent tokens the penalty sees
  uint64_t seed = 0;
};

// Throws Error(kInvalidArgument) naming the setting for values that mean nothing: a negative
// or non-finite temperature, top-p outside (0, 1], min-p outside [0, 1], a repetition penalty
// that is not positive. The command line and the C API check with it.
void check_sampling_params(const SamplingParams& params);

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);
  // `recent` is the generated history (the penalty looks at its tail).
  uint32_t sample(std::span<const float> logits, std::span<const uint32_t> recent);

  // What to read back instead of the logits so that sample_candidates() can draw: nullopt when
  // any token may be drawn (a temperature without top-k, top-p or min-p), when the penalty's
  // window holds more than kMaxCandidateWindow distinct tokens, or for a while after draws
  // the candidates did not settle: after m such draws in a row, the next 2^m picks (at most
  // 64) read the whole row, so flat distributions (random weights) do not pay for both.
  std::optional<CandidateRequest> candidate_request(std::span<const uint32_t> recent) const;
  // The draw sample(logits, recent) makes, from what candidate_request(recent) asked for; with
  // top-p or min-p and no top-k, the probabilities divide by the read-back weight total, so a
  // draw may differ only where one falls within its rounding of a cut or of a token's share.
  // nullopt, the generator untouched, when the cuts do not fall among the listed tokens: then
  // sample the logits.
  std::optional<uint32_t> sample_candidates(const LogitCandidates& candidates, std::span<const uint32_t> recent);
  const SamplingParams& params() const { return params_; }
  // Whether sample() is the plain argmax of the logits (temperature 0, no repetition
  // penalty), which a session can take on the GPU (Session::eval_greedy).
  bool greedy() const {
    return params_.temperature <= 0.0f && (params_.repetition_penalty == 1.0f || params_.repetition_window == 0);
  }

 private:
  std::optional<uint32_t> draw_from_candidates(const LogitCandidates& candidates, std::span<const uint32_t> recent);
  bool has_cuts() const { return params_.top_k > 0 || params_.top_p < 1.0f || params_.min_p > 0.0f; }
  // The distinct tokens of the penalty's window, ascending.
  std::vector<uint32_t> penalty_window(std::span<const uint32_t> recent) const;
  float penalized(float logit) const {
    return logit > 0 ? logit / params_.repetition_penalty : logit * params_.repetition_penalty;
  }
  // Candidates' values → probabilities (their softmax, or weights over `total` when given);
  // returns the total.
  double to_probabilities(std::optional<double> total);
  bool keep_best_prefix(float best_probability, std::optional<float> unlisted_probability);
  const std::pair<float, uint32_t>& best_candidate() const;  // the first by the sampler's order
  void keep_top_k();                                         // of more than top_k candidates
  // Softmax over the candidates, which hold every token the cuts may keep, then top-p and
  // min-p, then the draw.
  uint32_t draw_with_cuts();
  uint32_t draw();

  SamplingParams params_;
  std::mt19937_64 rng_;
  uint64_t picks_ = 0;          // tokens picked, from either path
  uint32_t misses_ = 0;         // sample_candidates() calls in a row that could not draw
  uint64_t rows_until_ = 0;     // candidate_request() declines until picks_ reaches this
  std::vector<std::pair<float, uint32_t>> candidates_;  // (value, token id)
};

// Index of the largest logit; the lowest index among equals.
uint32_t argmax(std::span<const float> logits);

}  // namespace vkmoe
