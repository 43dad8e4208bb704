#include "engine/sampler/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "loader/base/error.h"

namespace vkmoe {

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
  if (params_.temperature <= 0.0f) {
    auto best = std::max_element(candidates_.begin(), candidates_.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first || (a.first == b.first && a.second > b.second); });
    return best->second;
  }
  for (auto& c : candidates_) c.first /= params_.temperature;
  auto by_logit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
  size_t keep = candidates_.size();
  if (params_.top_k > 0 && params_.top_k < keep) {
    keep = params_.top_k;
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<ptrdiff_t>(keep), candidates_.end(), by_logit);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), by_logit);
  }
  candidates_.resize(keep);
  float max_logit = candidates_.front().first;
  double total = 0.0;
  for (auto& c : candidates_) {
    c.first = std::exp(c.first - max_logit);
    total += c.first;
  }
  for (auto& c : candidates_) c.first = static_cast<float>(c.first / total);
  if (params_.top_p < 1.0f) {
    double cumulative = 0.0;
    size_t n = 0;
    while (n < candidates_.size()) {
      cumulative += candidates_[n++].first;
      if (cumulative >= params_.top_p) break;
    }
    candidates_.resize(n);
  }
  if (params_.min_p > 0.0f) {
    float floor = params_.min_p * candidates_.front().first;
    while (candidates_.size() > 1 && candidates_.back().first < floor) candidates_.pop_back();
  }
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
