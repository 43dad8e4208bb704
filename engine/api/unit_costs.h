#pragma once
// What each unit of a model step (the embedding lookup, each layer, the output head) last cost
// the GPU, in microseconds, shared by the sessions of one model so that a new session fills
// its frame budget from its first step. One-token steps and prompt steps are kept apart: a
// prompt unit's cost is kept per token. A unit not timed yet has no estimate. Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace vkmoe::api {

class UnitCosts {
 public:
  explicit UnitCosts(uint32_t n_units) : one_token_us_(n_units, -1.0), per_token_us_(n_units, -1.0) {}

  void record(uint32_t unit, uint32_t n_tokens, double us) {
    std::lock_guard lock(mutex_);
    if (n_tokens == 1) {
      one_token_us_[unit] = us;
    } else {
      per_token_us_[unit] = us / n_tokens;
    }
  }

  std::optional<double> estimate_us(uint32_t unit, uint32_t n_tokens) const {
    std::lock_guard lock(mutex_);
    const double t = n_tokens == 1 ? one_token_us_[unit] : per_token_us_[unit] * n_tokens;
    if (t < 0) return std::nullopt;
    return t;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<double> one_token_us_;   // < 0: not timed yet
  std::vector<double> per_token_us_;
};

}  // namespace vkmoe::api
