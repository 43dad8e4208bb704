// A sampled turn through the frame-budgeted step reads back the sampler's candidates, not the
// logits (and the row, in a copy of its own, where they do not settle the draw): its tokens
// must be the ones the sampler draws from whole logits rows of the same model, seed for seed.
// The whole-row side runs vkmoe::Session on the model behind the handle.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "engine/api/handles.h"
#include "engine/sampler/sampler.h"
#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"

namespace vkmoe::test {
namespace {

struct SampledCase {
  std::string name;
  vkmoe_sampling sampling;
  bool falls_back = false;  // some step's candidates do not settle the draw
};

void PrintTo(const SampledCase& c, std::ostream* os) { *os << c.name; }

vkmoe_sampling sampling(float temperature, uint32_t top_k, float top_p, float min_p, float penalty) {
  vkmoe_sampling s = vkmoe_sampling_default();
  s.temperature = temperature;
  s.top_k = top_k;
  s.top_p = top_p;
  s.min_p = min_p;
  s.repetition_penalty = penalty;
  s.seed = 21;
  return s;
}

class SampledTurnTest : public ApiTest, public ::testing::WithParamInterface<SampledCase> {};

TEST_P(SampledTurnTest, DrawsWhatTheSamplerDrawsFromTheLogits) {
  // OLMoE: its greedy continuation repeats itself, so the penalty changes draws.
  const GoldenCase golden{"olmoe", "F16"};
  const Reference ref = read_reference(reference_path(golden));
  vkmoe_model model = load("gguf/" + golden.arch + "-F16.gguf");
  ASSERT_NE(model, nullptr);
  const uint32_t max_new = 12, max_tokens = 5;

  vkmoe_turn_info turn = greedy_turn(ref.prompt, max_new);
  turn.sampling = GetParam().sampling;
  vkmoe_session stepped = session(model, 64, max_tokens);
  ASSERT_EQ(vkmoe_session_submit(stepped, &turn), VKMOE_OK);
  const TurnRun run = step_to_end(stepped, 400);
  ASSERT_EQ(run.status, VKMOE_OK) << vkmoe_session_last_error(stepped);

  SessionOptions options;
  options.max_ctx = 64;
  options.max_tokens = max_tokens;  // the same prompt chunks and cache as the fixture's session,
  options.kv_cache_type = kernels::KvCacheType::kF32;  // so the same logits
  Session whole_rows(model->load.model(), options);
  SamplingParams p;
  p.temperature = turn.sampling.temperature;
  p.top_k = turn.sampling.top_k;
  p.top_p = turn.sampling.top_p;
  p.min_p = turn.sampling.min_p;
  p.repetition_penalty = turn.sampling.repetition_penalty;
  p.seed = turn.sampling.seed;
  Sampler sampler(p), probe(p);
  std::vector<uint32_t> want, input = ref.prompt;
  int fallbacks = 0;
  while (want.size() < max_new) {
    // The same step as eval(input); the probe says whether its candidates settle the draw.
    std::vector<float> logits;
    if (const auto request = sampler.candidate_request(want)) {
      const LogitCandidates candidates = whole_rows.eval_candidates(input, *request);
      fallbacks += !probe.sample_candidates(candidates, want).has_value();
      logits = whole_rows.last_logits();
    } else {
      logits = whole_rows.eval(input);
    }
    const uint32_t id = sampler.sample(logits, want);
    int eog = 0;
    ASSERT_EQ(vkmoe_token_is_end_of_generation(model, id, &eog), VKMOE_OK);
    if (eog) break;
    want.push_back(id);
    input.assign(1, id);
  }
  EXPECT_EQ(run.tokens, want);
  if (GetParam().falls_back) {
    EXPECT_GT(fallbacks, 0) << "no step took the row's own copy";
  }
}

INSTANTIATE_TEST_SUITE_P(Settings, SampledTurnTest,
                         ::testing::Values(SampledCase{"top_k8_penalty12", sampling(0.9f, 8, 1.0f, 0.0f, 1.2f)},
                                           SampledCase{"top_p09_min_p005", sampling(0.8f, 0, 0.9f, 0.05f, 1.0f)},
                                           SampledCase{"greedy_penalty14", sampling(0.0f, 0, 1.0f, 0.0f, 1.4f)},
                                           SampledCase{"temperature_only", sampling(1.0f, 0, 1.0f, 0.0f, 1.0f)},
                                           // min-p 1e-9 cuts 20.7 / T below the best, under
                                           // the request's floor at 16 / T: the row must come.
                                           SampledCase{"min_p_tiny_t02", sampling(0.2f, 0, 1.0f, 1e-9f, 1.0f), true}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vkmoe::test
