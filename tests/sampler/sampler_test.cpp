// The sampler against distributions computed here by hand: which tokens each filter keeps,
// and that draws follow the softmax probabilities of what is kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "engine/sampler/sampler.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

// Logits whose softmax at temperature 1 is {0.5, 0.25, 0.125, 0.0625, 0.0625}.
const std::vector<float> kLogits = {std::log(8.0f), std::log(4.0f), std::log(2.0f), 0.0f, 0.0f};

std::map<uint32_t, double> frequencies(const SamplingParams& params, const std::vector<float>& logits, int draws,
                                       const std::vector<uint32_t>& history = {}) {
  Sampler sampler(params);
  std::map<uint32_t, double> freq;
  for (int i = 0; i < draws; ++i) freq[sampler.sample(logits, history)] += 1.0 / draws;
  return freq;
}

TEST(Sampler, GreedyPicksTheLargestAndTheLowestIndexOnTies) {
  EXPECT_EQ(argmax(std::vector<float>{1, 3, 3, 2}), 1u);
  Sampler greedy({});
  EXPECT_EQ(greedy.sample(std::vector<float>{0.5f, -1.0f, 2.0f, 2.0f}, {}), 2u);
}

TEST(Sampler, TemperatureOneFollowsSoftmax) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.seed = 7;
  auto f = frequencies(p, kLogits, 40000);
  const double want[] = {0.5, 0.25, 0.125, 0.0625, 0.0625};
  for (uint32_t i = 0; i < 5; ++i) EXPECT_NEAR(f[i], want[i], 0.01) << "token " << i;
}

TEST(Sampler, TopKKeepsOnlyTheKBest) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 2;
  auto f = frequencies(p, kLogits, 30000);
  EXPECT_NEAR(f[0], 2.0 / 3.0, 0.015);
  EXPECT_NEAR(f[1], 1.0 / 3.0, 0.015);
  EXPECT_EQ(f.count(2) + f.count(3) + f.count(4), 0u);
}

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_p = 0.8f;  // 0.5 + 0.25 = 0.75 < 0.8, so the third token (0.125) is kept too
  auto f = frequencies(p, kLogits, 30000);
  EXPECT_NEAR(f[0], 0.5 / 0.875, 0.015);
  EXPECT_NEAR(f[2], 0.125 / 0.875, 0.015);
  EXPECT_EQ(f.count(3) + f.count(4), 0u);
}

TEST(Sampler, MinPDropsTokensBelowAFractionOfTheBest) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.min_p = 0.3f;  // keeps p >= 0.15: tokens 0 and 1
  auto f = frequencies(p, kLogits, 20000);
  EXPECT_EQ(f.count(2) + f.count(3) + f.count(4), 0u);
  EXPECT_NEAR(f[0], 2.0 / 3.0, 0.015);
}

// Logits spread evenly over [0, span) for `n` tokens, shuffled by a fixed permutation so
// the best tokens are not the first ids.
std::vector<float> spread_logits(uint32_t n, float span) {
  std::vector<float> logits(n);
  for (uint32_t i = 0; i < n; ++i) logits[(i * 7919u) % n] = span * static_cast<float>(i) / static_cast<float>(n);
  return logits;
}

// The sampler sorts only a prefix of the candidates and grows it until a cut falls inside:
// here the cut keeps thousands of tokens, past the first prefix, and every draw must fall
// inside the cut computed here over the fully sorted softmax.
TEST(Sampler, TopPOverAWideVocabularyKeepsExactlyTheNucleus) {
  const uint32_t n = 5000;  // n is prime to 7919, so spread_logits is a permutation
  const std::vector<float> logits = spread_logits(n, 1.0f);
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_p = 0.5f;
  p.seed = 11;
  // The nucleus: the best tokens until their probabilities reach 0.5.
  std::vector<double> probs(logits.begin(), logits.end());
  double total = 0.0;
  for (double& v : probs) total += v = std::exp(v - 1.0);
  std::vector<double> sorted = probs;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double cumulative = 0.0, last = 0.0;
  for (double v : sorted) {
    cumulative += v / total;
    last = v;
    if (cumulative >= 0.5) break;
  }
  Sampler sampler(p);
  std::set<uint32_t> drawn;
  for (int i = 0; i < 4000; ++i) {
    const uint32_t id = sampler.sample(logits, {});
    ASSERT_GE(probs[id], last * (1.0 - 1e-6)) << "token " << id << " is outside the nucleus";
    drawn.insert(id);
  }
  EXPECT_GT(drawn.size(), 1000u) << "the nucleus holds about 2,300 tokens";
}

TEST(Sampler, MinPOverAWideVocabularyKeepsEveryTokenAboveTheFloor) {
  const uint32_t n = 5000;
  const std::vector<float> logits = spread_logits(n, 1.0f);
  SamplingParams p;
  p.temperature = 1.0f;
  p.min_p = std::exp(-0.5f);  // keeps logits >= max - 0.5: about half the tokens
  p.seed = 12;
  const float best = *std::max_element(logits.begin(), logits.end());
  Sampler sampler(p);
  std::set<uint32_t> drawn;
  for (int i = 0; i < 4000; ++i) {
    const uint32_t id = sampler.sample(logits, {});
    ASSERT_GE(logits[id], best - 0.5f - 1e-5f) << "token " << id << " is below the floor";
    drawn.insert(id);
  }
  EXPECT_GT(drawn.size(), 1000u) << "about 2,500 tokens are above the floor";
}

TEST(Sampler, LowTemperatureSharpens) {
  SamplingParams p;
  p.temperature = 0.25f;  // probabilities ∝ p^4: 4096 : 256 : 16 : 1 : 1
  auto f = frequencies(p, kLogits, 20000);
  EXPECT_NEAR(f[0], 4096.0 / 4370.0, 0.01);
}

TEST(Sampler, RepetitionPenaltyLowersSeenTokens) {
  SamplingParams p;
  p.repetition_penalty = 4.0f;  // token 0's logit ln 8 → ln 8 / 4 < ln 4
  Sampler s(p);
  EXPECT_EQ(s.sample(kLogits, std::vector<uint32_t>{0}), 1u);
  EXPECT_EQ(s.sample(kLogits, std::vector<uint32_t>{}), 0u);
}

TEST(Sampler, SameSeedSameDraws) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.seed = 1234;
  Sampler a(p), b(p);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(kLogits, {}), b.sample(kLogits, {}));
}

TEST(Sampler, RejectsBadParameters) {
  SamplingParams p;
  p.top_p = 0.0f;
  EXPECT_THROW(Sampler{p}, Error);
  p = {};
  p.min_p = 1.5f;
  EXPECT_THROW(Sampler{p}, Error);
  p = {};
  p.repetition_penalty = 0.0f;
  EXPECT_THROW(Sampler{p}, Error);
  p = {};
  p.temperature = -1.0f;
  EXPECT_THROW(Sampler{p}, Error);
  p = {};
  p.top_p = 1.5f;
  EXPECT_THROW(Sampler{p}, Error);
  p = {};
  p.min_p = -0.1f;
  EXPECT_THROW(Sampler{p}, Error);
  Sampler ok({});
  EXPECT_THROW(ok.sample({}, {}), Error);
}

}  // namespace
}  // namespace vkmoe
