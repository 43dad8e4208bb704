#include "engine/sampler/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

// The sampler's order of candidates (value, token id): larger values first, the lower id among
// equals.
bool ranks_before(const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

}  // namespace

uint32_t argmax(std::span<const float> logits) {
  if (logits.empty()) throw Error(ErrorCode::kInvalidArgument, "argmax of an empty logits row");
  uint32_t best = 0;
  for (uint32_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return best;
}

void check_sampling_params(const SamplingParams& params) {
  if (!(params.temperature >= 0.0f && std::isfinite(params.temperature))) {
    throw Error(ErrorCode::kInvalidArgument, "temperature must be >= 0 (0 is greedy), got " + std::to_string(params.temperature));
  }
  if (!(params.top_p > 0.0f && params.top_p <= 1.0f)) {
    throw Error(ErrorCode::kInvalidArgument, "top-p must be in (0, 1], got " + std::to_string(params.top_p));
  }
  if (!(params.min_p >= 0.0f && params.min_p <= 1.0f)) {
    throw Error(ErrorCode::kInvalidArgument, "min-p must be in [0, 1], got " + std::to_string(params.min_p));
  }
  if (!(params.repetition_penalty > 0.0f && std::isfinite(params.repetition_penalty))) {
    throw Error(ErrorCode::kInvalidArgument, "repetition penalty must be positive, got " + std::to_string(params.repetition_penalty));
  }
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) { check_sampling_params(params); }

// Top-p and min-p keep the best tokens: the shortest prefix of the sorted probabilities
// reaching top_p, then, within it, those of at least min_p times the best (at least one).
// Only a prefix is sorted, grown until the cut falls inside it: sorting a whole vocabulary of
// 152k tokens cost 20 ms a token, and the cut usually falls within the first few hundred.
void Sampler::keep_best_prefix(float best_probability) {
  const float floor = params_.min_p * best_probability;
  size_t sorted = std::min<size_t>(candidates_.size(), 256);
  for (;;) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<ptrdiff_t>(sorted), candidates_.end(), ranks_before);
    const bool all = sorted == candidates_.size();
    size_t keep = sorted;
    bool known = all;
    if (params_.top_p < 1.0f) {
      double cumulative = 0.0;
      for (size_t n = 0; n < sorted; ++n) {
        cumulative += candidates_[n].first;
        if (cumulative >= params_.top_p) {
          keep = n + 1;
          known = true;
          break;
        }
      }
    }
    if (params_.min_p > 0.0f) {
      // Sorted: once one token is below the floor, every later one is too.
      size_t above = 0;
      while (above < keep && candidates_[above].first >= floor) ++above;
      if (above < keep) {
        keep = std::max<size_t>(above, 1);
        known = true;
      }
    }
    if (known) {
      candidates_.resize(keep);
      return;
    }
    sorted = std::min(candidates_.size(), sorted * 8);
  }
}

uint32_t Sampler::sample(std::span<const float> logits, std::span<const uint32_t> recent) {
  if (logits.empty()) throw Error(ErrorCode::kInvalidArgument, "sampling from an empty logits row");
  candidates_.clear();
  candidates_.reserve(logits.size());
  for (uint32_t i = 0; i < logits.size(); ++i) candidates_.emplace_back(logits[i], i);

  if (params_.repetition_penalty != 1.0f && params_.repetition_window > 0) {
    size_t from = recent.size() > params_.repetition_window ? recent.size() - params_.repetition_window : 0;
    std::unordered_set<uint32_t> seen(recent.begin() + static_cast<ptrdiff_t>(from), recent.end());
    for (uint32_t id : seen) {
      if (id >= candidates_.size()) continue;
      float& l = candidates_[id].first;
      l = l > 0 ? l / params_.repetition_penalty : l * params_.repetition_penalty;
    }
  }
  if (params_.temperature <= 0.0f) return std::min_element(candidates_.begin(), candidates_.end(), ranks_before)->second;
  for (auto& c : candidates_) c.first /= params_.temperature;
  if (params_.top_k > 0 && params_.top_k < candidates_.size()) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(), ranks_before);
    candidates_.resize(params_.top_k);
  }
  // Softmax over what is left, in the order it is in.
  const float max_logit = std::min_element(candidates_.begin(), candidates_.end(), ranks_before)->first;
  double total = 0.0;
  for (auto& c : candidates_) {
    c.first = std::exp(c.first - max_logit);
    total += c.first;
  }
  for (auto& c : candidates_) c.first = static_cast<float>(c.first / total);
  if (params_.top_p < 1.0f || params_.min_p > 0.0f) keep_best_prefix(static_cast<float>(1.0 / total));
  double mass = 0.0;
  for (const auto& c : candidates_) mass += c.first;
  double r = std::uniform_real_distribution<double>(0.0, mass)(rng_);
  for (const auto& c : candidates_) {
    r -= c.first;
    if (r <= 0.0) return c.second;
  }
  return candidates_.back().second;
}

}  // namespace vkmoe
