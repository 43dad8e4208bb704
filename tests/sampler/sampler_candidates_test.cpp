// The sampler drawing from read-back candidates against the same sampler drawing from the
// whole logits row: the same tokens from the same seed, and no draw (the generator untouched)
// whenever the candidates cannot settle the cuts. The candidates are built here from the
// contract in engine/sampler/logit_candidates.h, not by the GPU kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "engine/sampler/sampler.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

// Candidates for `request`: the floor at min(max − margin, the min_count-th largest logit),
// lowered by `extra_margin` (a floor may list more than it must). The weight total is summed
// as Sampler::sample sums it over the logits row, so the two draws must agree to the bit.
struct Readback {
  std::vector<TokenLogit> entries;
  std::vector<uint32_t> window_ids;
  std::vector<float> window_logits;
  LogitCandidates candidates;
};

Readback read_back(const std::vector<float>& logits, const CandidateRequest& request, float extra_margin = 0.0f,
                   size_t capacity = 1u << 20) {
  Readback r;
  LogitCandidates& c = r.candidates;
  c.n_vocab = static_cast<uint32_t>(logits.size());
  c.max_logit = *std::max_element(logits.begin(), logits.end());
  const float scaled_max = c.max_logit / request.temperature;
  // Left at 0 when not asked for, as the GPU leaves it: a draw that read it would go wrong.
  if (request.weight_total) {
    for (float l : logits) c.weight_total += std::exp(l / request.temperature - scaled_max);
  }
  c.floor_logit = c.max_logit - request.margin;
  if (request.min_count > 0) {
    std::vector<float> sorted = logits;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    c.floor_logit = std::min(c.floor_logit, request.min_count <= sorted.size() ? sorted[request.min_count - 1]
                                                                                : -std::numeric_limits<float>::infinity());
  }
  c.floor_logit -= extra_margin;
  for (uint32_t i = 0; i < logits.size(); ++i) {
    if (logits[i] >= c.floor_logit) r.entries.push_back({i, logits[i]});
  }
  c.listed = static_cast<uint32_t>(r.entries.size());
  // The kernel lists in no particular order.
  std::shuffle(r.entries.begin(), r.entries.end(), std::mt19937(c.listed));
  if (r.entries.size() > capacity) r.entries.resize(capacity);
  r.window_ids = request.window_ids;
  for (uint32_t id : r.window_ids) r.window_logits.push_back(logits[id]);
  c.entries = r.entries;
  c.window_ids = r.window_ids;
  c.window_logits = r.window_logits;
  return r;
}

// A vocabulary row with a few clear favourites over a broad tail, like a language model's.
std::vector<float> model_like_logits(uint32_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> tail(0.0f, 2.5f);
  std::vector<float> logits(n);
  for (auto& l : logits) l = tail(rng);
  std::uniform_int_distribution<uint32_t> pick(0, n - 1);
  std::uniform_real_distribution<float> lead(6.0f, 14.0f);
  for (int i = 0; i < 6; ++i) logits[pick(rng)] = lead(rng);
  return logits;
}

struct Config {
  std::string name;
  SamplingParams params;
};

void PrintTo(const Config& c, std::ostream* os) { *os << c.name; }

SamplingParams params(float temperature, uint32_t top_k, float top_p, float min_p, float penalty) {
  SamplingParams p;
  p.temperature = temperature;
  p.top_k = top_k;
  p.top_p = top_p;
  p.min_p = min_p;
  p.repetition_penalty = penalty;
  p.seed = 1234;
  return p;
}

class SamplerCandidatesTest : public ::testing::TestWithParam<Config> {};

TEST_P(SamplerCandidatesTest, DrawsWhatTheLogitsDraw) {
  // Two samplers with one seed, one fed the logits, the other their candidates (falling back
  // to the logits when it must): every token the same, step after step, history included.
  Sampler from_logits(GetParam().params), from_candidates(GetParam().params);
  std::vector<uint32_t> history;
  int fallbacks = 0;
  const int steps = 300;
  for (int step = 0; step < steps; ++step) {
    auto logits = model_like_logits(20000, 77 + step);
    // Make the history matter: its last tokens lead the next row.
    for (size_t i = history.size() > 3 ? history.size() - 3 : 0; i < history.size(); ++i) logits[history[i]] = 13.0f;
    std::optional<uint32_t> token;
    if (const auto request = from_candidates.candidate_request(history)) {
      token = from_candidates.sample_candidates(read_back(logits, *request).candidates, history);
      fallbacks += !token.has_value();
    }
    if (!token) token = from_candidates.sample(logits, history);
    const uint32_t want = from_logits.sample(logits, history);
    ASSERT_EQ(*token, want) << "step " << step;
    history.push_back(want);
  }
  // The requests put the floor where the cuts fall: a fallback is the exception.
  EXPECT_LT(fallbacks, steps / 10);
}

INSTANTIATE_TEST_SUITE_P(
    Cuts, SamplerCandidatesTest,
    ::testing::Values(Config{"top_k40", params(0.8f, 40, 1.0f, 0.0f, 1.0f)},
                      Config{"top_k1", params(1.0f, 1, 1.0f, 0.0f, 1.0f)},
                      Config{"top_k40_top_p09_penalty13", params(0.9f, 40, 0.9f, 0.0f, 1.3f)},
                      Config{"top_p09", params(0.8f, 0, 0.9f, 0.0f, 1.0f)},
                      Config{"top_p0999_t15", params(1.5f, 0, 0.999f, 0.0f, 1.0f)},
                      Config{"min_p005", params(1.0f, 0, 1.0f, 0.05f, 1.0f)},
                      Config{"top_p095_min_p01_penalty12", params(0.7f, 0, 0.95f, 0.1f, 1.2f)},
                      Config{"greedy_penalty15", params(0.0f, 0, 1.0f, 0.0f, 1.5f)}),
    [](const auto& info) { return info.param.name; });

TEST(SamplerCandidates, CutBelowTheFloorLeavesTheGeneratorUntouched) {
  // Top-p 0.999 over a flat row reaches far past a floor 1 below the max: no draw, and the
  // fallback draws what a sampler that never saw the candidates draws.
  const auto p = params(1.0f, 0, 0.999f, 0.0f, 1.0f);
  Sampler a(p), b(p);
  CandidateRequest request = *Sampler(p).candidate_request({});
  request.margin = 1.0f;
  for (int step = 0; step < 20; ++step) {
    const auto logits = model_like_logits(5000, step);
    EXPECT_FALSE(a.sample_candidates(read_back(logits, request).candidates, {}).has_value());
    EXPECT_EQ(a.sample(logits, {}), b.sample(logits, {})) << "step " << step;
  }
}

TEST(SamplerCandidates, MissesSendTheNextPicksToTheRow) {
  // Candidates that never settle top-p 0.999 (a floor 1 below the max): after m misses in a
  // row the next 2^m picks read the row; a settled draw starts over.
  const auto p = params(1.0f, 0, 0.999f, 0.0f, 1.0f);
  Sampler s(p);
  const auto logits = model_like_logits(5000, 4);
  ASSERT_TRUE(s.candidate_request({}).has_value()) << "a fresh sampler asks for candidates";
  CandidateRequest narrow = *s.candidate_request({});
  narrow.margin = 1.0f;
  // A missed draw (then taken from the row), and the row picks until candidates are asked again.
  const auto miss_then_row_picks = [&] {
    EXPECT_FALSE(s.sample_candidates(read_back(logits, narrow).candidates, {}).has_value());
    s.sample(logits, {});
    int rows = 0;
    while (!s.candidate_request({}).has_value()) {
      s.sample(logits, {});
      ++rows;
    }
    return rows;
  };
  std::vector<int> declined;
  for (int miss = 0; miss < 4; ++miss) declined.push_back(miss_then_row_picks());
  EXPECT_EQ(declined, (std::vector<int>{2, 4, 8, 16}));
  const auto wide = *s.candidate_request({});
  ASSERT_TRUE(s.sample_candidates(read_back(logits, wide).candidates, {}).has_value());
  EXPECT_EQ(miss_then_row_picks(), 2) << "a settled draw starts the count over";
}

TEST(SamplerCandidates, TopKPastTheVocabularyIsNoCut) {
  // Top-k 50000 of 20000 tokens cuts nothing: any token may be drawn, so there is no draw.
  Sampler s(params(1.0f, 50000, 1.0f, 0.0f, 1.0f));
  const auto logits = model_like_logits(20000, 3);
  EXPECT_FALSE(s.sample_candidates(read_back(logits, *s.candidate_request({})).candidates, {}).has_value());
}

TEST(SamplerCandidates, MinPNeedsTheFloorUnderItsCut) {
  // min-p 0.1 keeps logits from 10 + ln 0.1 = 7.7 up: tokens 0..9. Every listed token passes,
  // so the floor decides: at 8.5 an unlisted token might pass too (no draw); at 7 none can.
  std::vector<float> logits(1000, 0.0f);
  logits[0] = 10.0f;
  for (uint32_t i = 1; i < 10; ++i) logits[i] = 9.0f;
  const auto p = params(1.0f, 0, 1.0f, 0.1f, 1.0f);
  Sampler s(p), reference(p);
  CandidateRequest request = *s.candidate_request({});
  request.margin = 1.5f;
  EXPECT_FALSE(s.sample_candidates(read_back(logits, request).candidates, {}).has_value());
  request.margin = 3.0f;
  for (int i = 0; i < 50; ++i) {
    const auto token = s.sample_candidates(read_back(logits, request).candidates, {});
    ASSERT_TRUE(token.has_value());
    EXPECT_EQ(*token, reference.sample(logits, {}));
  }
}

TEST(SamplerCandidates, TopKNeedsKTokensAtTheFloor) {
  const auto p = params(1.0f, 10, 1.0f, 0.0f, 1.0f);
  Sampler s(p);
  const auto logits = model_like_logits(3000, 5);
  CandidateRequest request = *s.candidate_request({});
  request.min_count = 9;
  EXPECT_FALSE(s.sample_candidates(read_back(logits, request).candidates, {}).has_value());
  request.min_count = 10;
  EXPECT_TRUE(s.sample_candidates(read_back(logits, request).candidates, {}).has_value());
}

TEST(SamplerCandidates, PenalizedTokensBelowTheFloorAreNotDrawnFromTheList) {
  // The penalty takes the listed favourite under the floor, where unlisted tokens may outrank
  // it: with top-k 2 only one listed token stays known, so there is no draw.
  std::vector<float> logits(1000, 0.0f);
  logits[7] = 10.0f;
  logits[8] = 9.0f;
  for (uint32_t i = 0; i < 20; ++i) logits[100 + i] = 8.5f;
  auto p = params(1.0f, 2, 1.0f, 0.0f, 2.0f);
  Sampler s(p);
  const std::vector<uint32_t> history = {7};
  CandidateRequest request = *s.candidate_request(history);
  request.min_count = 2;  // lists 7 and 8 only; 7 falls to 5 under the penalty
  EXPECT_FALSE(s.sample_candidates(read_back(logits, request).candidates, history).has_value());
}

TEST(SamplerCandidates, OverflowedListOrNonFiniteMaxIsNoDraw) {
  const auto p = params(1.0f, 0, 0.9f, 0.0f, 1.0f);
  Sampler s(p);
  const auto logits = model_like_logits(4000, 9);
  const CandidateRequest request = *s.candidate_request({});
  EXPECT_FALSE(s.sample_candidates(read_back(logits, request, 0.0f, 3).candidates, {}).has_value());
  Readback r = read_back(logits, request);
  r.candidates.max_logit = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(s.sample_candidates(r.candidates, {}).has_value());
}

TEST(SamplerCandidates, RequestsFollowTheCuts) {
  EXPECT_FALSE(Sampler(params(0.8f, 0, 1.0f, 0.0f, 1.0f)).candidate_request({}).has_value())
      << "a temperature alone may draw any token";
  const std::vector<uint32_t> history = {5, 3, 5, 9};
  const auto top_k = Sampler(params(0.8f, 40, 1.0f, 0.0f, 1.1f)).candidate_request(history);
  ASSERT_TRUE(top_k.has_value());
  EXPECT_EQ(top_k->min_count, 43u);
  EXPECT_FALSE(top_k->weight_total) << "top-k's softmax runs over the k best alone";
  EXPECT_EQ(top_k->window_ids, (std::vector<uint32_t>{3, 5, 9}));
  const auto min_p = Sampler(params(0.5f, 0, 1.0f, 0.05f, 1.0f)).candidate_request({});
  ASSERT_TRUE(min_p.has_value());
  EXPECT_NEAR(min_p->margin, 0.5f * (4.0f - std::log(0.05f)), 1e-6);
  EXPECT_TRUE(min_p->weight_total);
  const auto top_p = Sampler(params(2.0f, 0, 0.9f, 0.0f, 1.0f)).candidate_request({});
  ASSERT_TRUE(top_p.has_value());
  EXPECT_EQ(top_p->margin, 32.0f);
  auto wide = params(1.0f, 40, 1.0f, 0.0f, 1.1f);
  wide.repetition_window = 1000;
  std::vector<uint32_t> long_history(1000);
  for (uint32_t i = 0; i < 1000; ++i) long_history[i] = i;
  EXPECT_FALSE(Sampler(wide).candidate_request(long_history).has_value()) << "1000 distinct tokens in the window";
}

TEST(SamplerCandidates, CandidatesForAnotherWindowAreAnError) {
  Sampler s(params(1.0f, 5, 1.0f, 0.0f, 1.2f));
  const auto logits = model_like_logits(500, 1);
  const Readback r = read_back(logits, *s.candidate_request(std::vector<uint32_t>{1, 2}));
  try {
    s.sample_candidates(r.candidates, std::vector<uint32_t>{1, 3});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace vkmoe
