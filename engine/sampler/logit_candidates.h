#pragma once
// What a sampled step reads back instead of a whole logits row (kernels/logit_candidates.h):
// every token whose logit reaches a floor, with the statistics that settle the sampler's cuts.
// The sampler asks for it (Sampler::candidate_request) and draws from it when the cuts fall
// among the listed tokens (Sampler::sample_candidates), which is nearly always.
#include <cstdint>
#include <span>
#include <vector>

namespace vkmoe {

// The most distinct tokens a repetition penalty's window may hold for a candidates readback.
inline constexpr uint32_t kMaxCandidateWindow = 256;

// Where to put the floor: min(max − margin, a logit that min_count tokens reach).
struct CandidateRequest {
  float temperature = 1.0f;  // > 0: the weight total's temperature
  float margin = 0.0f;       // >= 0, in logits
  uint32_t min_count = 0;
  bool weight_total = true;  // false when the draw never reads it (top-k, greedy): the GPU skips it
  std::vector<uint32_t> window_ids;  // the repetition penalty's tokens, whose logits come back too
};

struct TokenLogit {
  uint32_t id;
  float logit;
};

struct LogitCandidates {
  uint32_t n_vocab = 0;
  float max_logit = 0.0f;      // the largest logit
  double weight_total = 0.0;   // Σ exp((logit − max_logit) / temperature) over the vocabulary, if asked
  float floor_logit = 0.0f;    // every token not listed has a logit below this
  uint32_t listed = 0;         // tokens at or above the floor; more than entries.size() when they overflowed
  std::span<const TokenLogit> entries;    // in no particular order
  std::span<const uint32_t> window_ids;   // as requested
  std::span<const float> window_logits;   // their logits, before any penalty
};

}  // namespace vkmoe
