// End to end against the goldens: every architecture, from its Hugging Face folder and its
// F16 GGUF, must reproduce the float64 reference of transformers (../shared/goldens):
// logits at every prompt position, the per-layer hidden states, the same logits when the
// prompt is fed one token at a time through the KV cache, and the 12 greedy ids.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/session.h"
#include "engine/sampler/sampler.h"
#include "loader/base/error.h"
#include "tests/support/golden_reference.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"

namespace vkmoe::test {
namespace {

class GoldenModelTest : public GpuTest, public ::testing::WithParamInterface<GoldenCase> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    ref_ = read_reference(reference_path(GetParam()));
    model_ = Model::load(ctx(), model_path(GetParam()));
  }
  void TearDown() override {
    model_.reset();
    GpuTest::TearDown();
  }

  std::unique_ptr<Session> session(kernels::KvCacheType cache, bool capture_hidden = false) {
    SessionOptions o;
    o.max_ctx = 64;
    o.max_tokens = 32;
    o.kv_cache_type = cache;
    o.capture_hidden = capture_hidden;
    return std::make_unique<Session>(*model_, o);
  }

  Reference ref_;
  std::unique_ptr<Model> model_;
};

TEST_P(GoldenModelTest, PromptLogitsAndHiddenStatesMatchReference) {
  auto s = session(kernels::KvCacheType::kF32, true);
  auto logits = s->eval(ref_.prompt, true);
  const size_t vocab = model_->config().n_vocab, T = ref_.prompt.size();
  for (size_t t = 0; t < T; ++t) {
    std::span<const float> got(logits.data() + t * vocab, vocab), want(ref_.logits.data() + t * vocab, vocab);
    EXPECT_TRUE(all_close(got, want, {1e-4}, "logits at position " + std::to_string(t)));
  }
  if (!ref_.hidden.empty()) {
    auto hidden = s->hidden_states();
    const size_t per_layer = T * model_->config().n_embd;
    ASSERT_EQ(hidden.size(), ref_.hidden.size());
    for (size_t l = 0; l * per_layer < hidden.size(); ++l) {
      std::span<const float> got(hidden.data() + l * per_layer, per_layer), want(ref_.hidden.data() + l * per_layer, per_layer);
      EXPECT_TRUE(all_close(got, want, {1e-4}, "hidden state " + std::to_string(l)));
    }
  }
}

TEST_P(GoldenModelTest, TokenByTokenMatchesReference) {
  auto s = session(kernels::KvCacheType::kF32);
  const size_t vocab = model_->config().n_vocab;
  for (size_t t = 0; t < ref_.prompt.size(); ++t) {
    auto logits = s->eval(std::span(&ref_.prompt[t], 1));
    std::span<const float> want(ref_.logits.data() + t * vocab, vocab);
    EXPECT_TRUE(all_close(logits, want, {1e-4}, "logits at position " + std::to_string(t)));
  }
}

TEST_P(GoldenModelTest, GreedyContinuationMatchesReference) {
  auto s = session(kernels::KvCacheType::kF32);
  auto logits = s->eval(ref_.prompt);
  std::vector<uint32_t> got;
  for (size_t i = 0; i < ref_.greedy.size(); ++i) {
    uint32_t id = argmax(logits);
    got.push_back(id);
    logits = s->eval(std::span(&id, 1));
  }
  EXPECT_EQ(got, ref_.greedy);
}

// The argmax taken on the GPU, with only the token read back.
TEST_P(GoldenModelTest, GreedyOnTheGpuMatchesReference) {
  auto s = session(kernels::KvCacheType::kF32);
  std::vector<uint32_t> got{s->eval_greedy(ref_.prompt)};
  while (got.size() < ref_.greedy.size()) got.push_back(s->eval_greedy(std::span(&got.back(), 1)));
  EXPECT_EQ(got, ref_.greedy);
}

// Sampling from the candidates read back on the GPU draws what sampling the whole logits row
// draws, seed for seed, and every listed logit is the row's own.
TEST_P(GoldenModelTest, SampledFromCandidatesAsFromTheLogits) {
  std::vector<SamplingParams> settings(4);
  settings[0].top_k = 5, settings[0].repetition_penalty = 1.3f;
  settings[1].top_p = 0.9f;
  settings[2].min_p = 0.05f, settings[2].top_p = 0.95f, settings[2].repetition_penalty = 1.2f;
  settings[3].temperature = 0.0f, settings[3].repetition_penalty = 1.5f;
  for (size_t i = 0; i < settings.size(); ++i) {
    SamplingParams& p = settings[i];
    if (i < 3) p.temperature = 0.9f;
    p.seed = 11 + i;
    SCOPED_TRACE("setting " + std::to_string(i));
    auto by_logits = session(kernels::KvCacheType::kF32), by_candidates = session(kernels::KvCacheType::kF32);
    Sampler from_logits(p), from_candidates(p);
    std::vector<uint32_t> generated, input = ref_.prompt;
    int from_list = 0;
    for (int step = 0; step < 10; ++step) {
      const uint32_t want = from_logits.sample(by_logits->eval(input), generated);
      const auto request = from_candidates.candidate_request(generated);
      ASSERT_TRUE(request.has_value()) << "the previous draw fell back to the row";
      const LogitCandidates c = by_candidates->eval_candidates(input, *request);
      const std::vector<float> logits = by_candidates->last_logits();
      ASSERT_LE(c.listed, c.entries.size());
      for (const TokenLogit& e : c.entries) ASSERT_EQ(e.logit, logits[e.id]) << "token " << e.id;
      auto got = from_candidates.sample_candidates(c, generated);
      from_list += got.has_value();
      if (!got) got = from_candidates.sample(logits, generated);
      ASSERT_EQ(*got, want) << "step " << step;
      generated.push_back(want);
      input.assign(1, want);
    }
    EXPECT_GT(from_list, 0) << "every draw fell back to the logits";
  }
}

TEST_P(GoldenModelTest, DefaultPrecisionWithF16CacheStaysClose) {
  auto s = session(kernels::KvCacheType::kF16);
  auto logits = s->eval(ref_.prompt, true);
  EXPECT_TRUE(all_close(logits, ref_.logits, {2e-3}, "logits"));
}

TEST_P(GoldenModelTest, BadInputLeavesSessionUsable) {
  auto s = session(kernels::KvCacheType::kF32);
  const uint32_t bad = model_->config().n_vocab;
  EXPECT_THROW(s->eval(std::span(&bad, 1)), Error);
  EXPECT_THROW(s->eval({}), Error);
  std::vector<uint32_t> too_long(s->max_ctx() + 1, ref_.prompt[0]);
  try {
    s->eval(too_long);
    FAIL() << "expected a context overflow";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kContextOverflow);
  }
  EXPECT_EQ(s->position(), 0u);
  auto logits = s->eval(ref_.prompt, true);
  EXPECT_TRUE(all_close(logits, ref_.logits, {1e-4}, "logits after rejected input"));
}

std::vector<GoldenCase> float_cases() {
  std::vector<GoldenCase> out;
  for (const char* arch : {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss"}) {
    out.push_back({arch, "hf"});
    out.push_back({arch, "F16"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Goldens, GoldenModelTest, ::testing::ValuesIn(float_cases()),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
