// End to end on the quantized GGUF goldens (Q8_0, Q4_0 and Q4_K_M, which mixes Q4_K, Q5_K,
// Q6_K and Q8_0, with quantized embedding tables): each file's reference comes from its own
// dequantized weights, so a correct engine matches it about as tightly as an F32 model
// matches transformers. Checked: logits at every prompt position and the 12 greedy ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/session.h"
#include "engine/sampler/sampler.h"
#include "tests/support/golden_reference.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"

namespace vkmoe::test {
namespace {

class GoldenQuantTest : public GpuTest, public ::testing::WithParamInterface<GoldenCase> {};

TEST_P(GoldenQuantTest, PromptLogitsAndGreedyIdsMatchReference) {
  Reference ref = read_reference(reference_path(GetParam()));
  auto model = Model::load(ctx(), model_path(GetParam()));
  SessionOptions o;
  o.max_ctx = 64;
  o.max_tokens = 32;
  o.kv_cache_type = kernels::KvCacheType::kF32;
  Session s(*model, o);

  auto logits = s.eval(ref.prompt, true);
  const size_t vocab = model->config().n_vocab, T = ref.prompt.size();
  ASSERT_EQ(logits.size(), T * vocab);
  double worst = 0.0;
  for (size_t t = 0; t < T; ++t) {
    std::span<const float> got(logits.data() + t * vocab, vocab), want(ref.logits.data() + t * vocab, vocab);
    worst = std::max(worst, relative_l2_error(got, want));
    EXPECT_TRUE(all_close(got, want, {2e-3}, "logits at position " + std::to_string(t)));
  }
  RecordProperty("logits_rel_l2_max", std::to_string(worst));
  std::cout << "[ logits  ] " << GetParam().arch << "-" << GetParam().source << ": max relative L2 error " << worst
            << " over " << T << " positions\n";

  // Greedy continuation from the last prompt position, one decode step per id.
  std::vector<float> next(logits.end() - static_cast<std::ptrdiff_t>(vocab), logits.end());
  std::vector<uint32_t> got;
  for (size_t i = 0; i < ref.greedy.size(); ++i) {
    uint32_t id = argmax(next);
    got.push_back(id);
    if (i + 1 < ref.greedy.size()) next = s.eval(std::span(&id, 1));
  }
  EXPECT_EQ(got, ref.greedy);
}

// Every quantized file the goldens store.
std::vector<GoldenCase> quant_cases() {
  std::vector<GoldenCase> out;
  for (const char* arch : {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe"}) {
    for (const char* type : {"Q8_0", "Q4_0", "Q4_K_M"}) out.push_back({arch, type});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Goldens, GoldenQuantTest, ::testing::ValuesIn(quant_cases()),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
