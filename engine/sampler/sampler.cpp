#include "engine/sampler/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

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

std::vector<uint32_t> Sampler::penalty_window(std::span<const uint32_t> recent) const {
  if (params_.repetition_penalty == 1.0f || params_.repetition_window == 0) return {};
  const size_t from = recent.size() > params_.repetition_window ? recent.size() - params_.repetition_window : 0;
  std::vector<uint32_t> ids(recent.begin() + static_cast<ptrdiff_t>(from), recent.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Top-p and min-p keep the best tokens: the shortest prefix of the sorted probabilities
// reaching top_p, then, within it, those of at least min_p times the best (at least one).
// Only a prefix is sorted, grown until the cut falls inside it: sorting a whole vocabulary of
// 152k tokens cost 20 ms a token, and the cut usually falls within the first few hundred.
// `unlisted_probability` bounds the tokens that are not among the candidates (which then are
// the best of the vocabulary); false when the cut may fall among those.
bool Sampler::keep_best_prefix(float best_probability, std::optional<float> unlisted_probability) {
  const float floor = params_.min_p * best_probability;
  size_t sorted = std::min<size_t>(candidates_.size(), 256);
  for (;;) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<ptrdiff_t>(sorted), candidates_.end(), ranks_before);
    const bool all = sorted == candidates_.size();
    size_t keep = sorted;
    bool known = all && !unlisted_probability;
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
      } else if (all && unlisted_probability && *unlisted_probability < floor) {
        known = true;  // every candidate passes, no unlisted token does
      }
    }
    if (known) {
      candidates_.resize(keep);
      return true;
    }
    if (all) return false;
    sorted = std::min(candidates_.size(), sorted * 8);
  }
}

double Sampler::to_probabilities(std::optional<double> total) {
  // Softmax over what is left, in the order it is in.
  const float max_value = best_candidate().first;
  double sum = 0.0;
  for (auto& c : candidates_) {
    c.first = std::exp(c.first - max_value);
    sum += c.first;
  }
  const double divisor = total.value_or(sum);
  for (auto& c : candidates_) c.first = static_cast<float>(c.first / divisor);
  return divisor;
}

const std::pair<float, uint32_t>& Sampler::best_candidate() const {
  return *std::min_element(candidates_.begin(), candidates_.end(), ranks_before);
}

void Sampler::keep_top_k() {
  std::partial_sort(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(), ranks_before);
  candidates_.resize(params_.top_k);
}

uint32_t Sampler::draw_with_cuts() {
  const double total = to_probabilities(std::nullopt);
  if (params_.top_p < 1.0f || params_.min_p > 0.0f) keep_best_prefix(static_cast<float>(1.0 / total), std::nullopt);
  return draw();
}

uint32_t Sampler::draw() {
  double mass = 0.0;
  for (const auto& c : candidates_) mass += c.first;
  double r = std::uniform_real_distribution<double>(0.0, mass)(rng_);
  for (const auto& c : candidates_) {
    r -= c.first;
    if (r <= 0.0) return c.second;
  }
  return candidates_.back().second;
}

uint32_t Sampler::sample(std::span<const float> logits, std::span<const uint32_t> recent) {
  if (logits.empty()) throw Error(ErrorCode::kInvalidArgument, "sampling from an empty logits row");
  ++picks_;
  candidates_.clear();
  candidates_.reserve(logits.size());
  for (uint32_t i = 0; i < logits.size(); ++i) candidates_.emplace_back(logits[i], i);
  for (uint32_t id : penalty_window(recent)) {
    if (id < candidates_.size()) candidates_[id].first = penalized(candidates_[id].first);
  }
  if (params_.temperature <= 0.0f) return best_candidate().second;
  for (auto& c : candidates_) c.first /= params_.temperature;
  if (params_.top_k > 0 && params_.top_k < candidates_.size()) keep_top_k();
  return draw_with_cuts();
}

std::optional<CandidateRequest> Sampler::candidate_request(std::span<const uint32_t> recent) const {
  // Weights below e^-16 of the best (1e-7) rarely matter to top-p, and min-p never keeps them;
  // min-p's margin has room for a penalized best token (a penalty of 1.1 on a logit of 20
  // takes 1.8 off it).
  constexpr float kMargin = 16.0f;
  constexpr float kPenaltyRoom = 4.0f;
  if (picks_ < rows_until_) return std::nullopt;
  CandidateRequest request;
  request.window_ids = penalty_window(recent);
  const auto window = static_cast<uint32_t>(request.window_ids.size());
  if (window > kMaxCandidateWindow) return std::nullopt;
  if (params_.temperature <= 0.0f) {
    request.min_count = 1 + window;  // the best token that is not penalized is listed
    request.weight_total = false;
    return request;
  }
  if (!has_cuts()) return std::nullopt;
  request.temperature = params_.temperature;
  if (params_.top_k > 0) {
    request.min_count = params_.top_k + window;
    request.weight_total = false;  // the softmax runs over the k best alone
  } else {
    const float weights = params_.min_p > 0.0f ? std::min(kMargin, kPenaltyRoom - std::log(params_.min_p)) : kMargin;
    request.margin = weights * params_.temperature;
  }
  return request;
}

std::optional<uint32_t> Sampler::sample_candidates(const LogitCandidates& candidates, std::span<const uint32_t> recent) {
  const std::optional<uint32_t> token = draw_from_candidates(candidates, recent);
  if (token) {
    ++picks_;
    misses_ = 0;
  } else {
    misses_ = std::min<uint32_t>(misses_ + 1, 6);
    rows_until_ = picks_ + 1 + (uint64_t{1} << misses_);  // this draw's row, then 2^misses more
  }
  return token;
}

std::optional<uint32_t> Sampler::draw_from_candidates(const LogitCandidates& candidates, std::span<const uint32_t> recent) {
  const LogitCandidates& c = candidates;
  const std::vector<uint32_t> window = penalty_window(recent);
  if (!std::equal(window.begin(), window.end(), c.window_ids.begin(), c.window_ids.end())) {
    throw Error(ErrorCode::kInternal, "sampling candidates read back for another penalty window");
  }
  const bool top_k_cuts = params_.top_k > 0 && params_.top_k < c.n_vocab;
  const bool cuts = top_k_cuts || params_.top_p < 1.0f || params_.min_p > 0.0f;
  if (c.listed > c.entries.size() || !std::isfinite(c.max_logit) || (params_.temperature > 0.0f && !cuts)) {
    return std::nullopt;
  }
  // Listed tokens rank above every unlisted one as long as their (penalized) logit stays at the
  // floor; below it, an unlisted token may outrank them, so they are left out.
  const bool complete = c.listed == c.n_vocab;
  candidates_.clear();
  for (const TokenLogit& e : c.entries.first(c.listed)) {
    const bool in_window = std::binary_search(window.begin(), window.end(), e.id);
    const float value = in_window ? penalized(e.logit) : e.logit;
    if (complete || value >= c.floor_logit) candidates_.emplace_back(value, e.id);
  }
  if (candidates_.empty()) return std::nullopt;
  if (params_.temperature <= 0.0f) return best_candidate().second;

  const float best_logit = best_candidate().first;
  for (auto& e : candidates_) e.first /= params_.temperature;
  if (top_k_cuts) {
    if (candidates_.size() < params_.top_k) return std::nullopt;
    keep_top_k();
    return draw_with_cuts();
  }
  // Over the whole vocabulary: the read-back total, less what the penalty took from the window's
  // weights, relative to the best candidate.
  const double t = params_.temperature;
  double total = c.weight_total;
  for (size_t i = 0; i < c.window_ids.size(); ++i) {
    const float raw = c.window_logits[i];
    if (std::isnan(raw)) continue;
    total -= std::exp((double(raw) - c.max_logit) / t) - std::exp((double(penalized(raw)) - c.max_logit) / t);
  }
  total *= std::exp((double(c.max_logit) - best_logit) / t);
  if (!(total > 0.0) || !std::isfinite(total)) return std::nullopt;
  const float best_value = best_logit / params_.temperature;
  to_probabilities(total);
  std::optional<float> unlisted;
  if (!complete) {
    // An unlisted value is below the floor, so its probability is at most the floor's (the
    // same float operations, monotonic), nudged up by one ulp for the exponential's rounding.
    const float floor_weight = std::exp(c.floor_logit / params_.temperature - best_value);
    unlisted = std::nextafter(static_cast<float>(floor_weight / total), 1.0f);
  }
  if (!keep_best_prefix(static_cast<float>(1.0 / total), unlisted)) return std::nullopt;
  return draw();
}

}  // namespace vkmoe
