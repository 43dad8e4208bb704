// vkmoe_session_get_expert_usage: per layer x expert counts of the tokens each routed expert
// served. The counts must add up to what was fed (tokens x n_expert_used per MoE layer, zero
// in dense layers), a one-token step must route to exactly n_expert_used distinct experts per
// layer, the blocking, frame-budgeted and streamed-expert paths must count the same routing,
// and vkmoe_session_reset_stats must zero them.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

class ExpertUsageTest : public ApiTest {
 protected:
  static vkmoe_model_info info_of(vkmoe_model m) {
    vkmoe_model_info info{};
    info.struct_size = sizeof(info);
    EXPECT_EQ(vkmoe_model_get_info(m, &info), VKMOE_OK);
    return info;
  }

  static std::vector<uint64_t> usage(vkmoe_session s) {
    size_t n = 0;
    const vkmoe_status asked = vkmoe_session_get_expert_usage(s, nullptr, 0, &n);
    EXPECT_EQ(asked, n == 0 ? VKMOE_OK : VKMOE_ERROR_BUFFER_TOO_SMALL);
    std::vector<uint64_t> counts(n, ~uint64_t(0));  // poisoned: every entry must be written
    EXPECT_EQ(vkmoe_session_get_expert_usage(s, counts.data(), counts.size(), &n), VKMOE_OK) << vkmoe_session_last_error(s);
    return counts;
  }

  static uint64_t layer_sum(const std::vector<uint64_t>& counts, const vkmoe_model_info& info, uint32_t layer) {
    const auto begin = counts.begin() + ptrdiff_t(layer) * info.n_expert;
    return std::accumulate(begin, begin + info.n_expert, uint64_t(0));
  }

  // A greedy turn of `max_new` tokens, run blocking (vkmoe_session_generate).
  static void generate(vkmoe_session s, const std::vector<uint32_t>& input, uint32_t max_new) {
    vkmoe_turn_info turn = greedy_turn(input, max_new);
    ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK) << vkmoe_session_last_error(s);
    ASSERT_EQ(vkmoe_session_generate(s, nullptr), VKMOE_OK) << vkmoe_session_last_error(s);
  }
};

TEST_F(ExpertUsageTest, CountsAddUpToTokensTimesTopKAndAgreeAcrossBlockingAndSteppedTurns) {
  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(model, nullptr);
  const vkmoe_model_info info = info_of(model);

  size_t n = 0;
  vkmoe_session blocking = session(model, 64, 8);  // 8 tokens per step: the prompt takes 3 steps
  EXPECT_EQ(vkmoe_session_get_expert_usage(blocking, nullptr, 0, &n), VKMOE_ERROR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, size_t(info.n_layer) * info.n_expert);
  EXPECT_EQ(vkmoe_session_get_expert_usage(blocking, nullptr, 0, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  for (uint64_t c : usage(blocking)) EXPECT_EQ(c, 0u);

  // 12 greedy tokens: the prompt and the first 11 of them go through the model.
  generate(blocking, ref.prompt, 12);
  const uint64_t fed = ref.prompt.size() + 11;
  const std::vector<uint64_t> blocking_counts = usage(blocking);
  for (uint32_t layer = 0; layer < info.n_layer; ++layer) {
    EXPECT_EQ(layer_sum(blocking_counts, info, layer), fed * info.n_expert_used) << "layer " << layer;
  }

  vkmoe_session stepped = session(model, 64, 8);
  vkmoe_turn_info turn = greedy_turn(ref.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(stepped, &turn), VKMOE_OK);
  const TurnRun run = step_to_end(stepped, 300);
  ASSERT_EQ(run.status, VKMOE_OK) << vkmoe_session_last_error(stepped);
  ASSERT_EQ(run.tokens, ref.greedy);
  EXPECT_EQ(usage(stepped), blocking_counts);

  ASSERT_EQ(vkmoe_session_reset_stats(blocking), VKMOE_OK);
  for (uint64_t c : usage(blocking)) EXPECT_EQ(c, 0u);
}

TEST_F(ExpertUsageTest, OneTokenStepRoutesToExactlyTopKDistinctExpertsPerLayer) {
  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(model, nullptr);
  const vkmoe_model_info info = info_of(model);
  vkmoe_session s = session(model);
  generate(s, ref.prompt, 1);
  ASSERT_EQ(vkmoe_session_reset_stats(s), VKMOE_OK);
  generate(s, {ref.greedy[0]}, 1);
  const std::vector<uint64_t> counts = usage(s);
  for (uint32_t layer = 0; layer < info.n_layer; ++layer) {
    const auto begin = counts.begin() + ptrdiff_t(layer) * info.n_expert, end = begin + info.n_expert;
    EXPECT_EQ(std::count(begin, end, uint64_t(1)), ptrdiff_t(info.n_expert_used)) << "layer " << layer;
    EXPECT_EQ(std::count(begin, end, uint64_t(0)), ptrdiff_t(info.n_expert - info.n_expert_used)) << "layer " << layer;
  }
}

TEST_F(ExpertUsageTest, StreamedExpertsCountTheSameRoutingAsResidentOnes) {
  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  vkmoe_model resident = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(resident, nullptr);
  vkmoe_model_load_info i{};
  i.struct_size = sizeof(i);
  const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
  i.path = path.c_str();
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  ASSERT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
  vkmoe_model streamed = load("gguf/qwen3_moe-F16.gguf", memory.dense_bytes + memory.session_reserve_bytes + memory.expert_bytes / 2);
  ASSERT_NE(streamed, nullptr);
  ASSERT_EQ(info_of(streamed).experts_stream, 1);

  vkmoe_session a = session(resident), b = session(streamed);
  generate(a, ref.prompt, 12);
  generate(b, ref.prompt, 12);
  EXPECT_EQ(usage(b), usage(a));
}

TEST_F(ExpertUsageTest, DenseLeadingLayerStaysZero) {
  const Reference ref = read_reference(reference_path({"deepseek_v3", "F16"}));
  vkmoe_model model = load("gguf/deepseek_v3-F16.gguf");
  ASSERT_NE(model, nullptr);
  const vkmoe_model_info info = info_of(model);
  vkmoe_session s = session(model);
  generate(s, ref.prompt, 4);
  const std::vector<uint64_t> counts = usage(s);
  const uint64_t fed = ref.prompt.size() + 3;
  EXPECT_EQ(layer_sum(counts, info, 0), 0u) << "layer 0 is dense (first_k_dense_replace = 1)";
  for (uint32_t layer = 1; layer < info.n_layer; ++layer) {
    EXPECT_EQ(layer_sum(counts, info, layer), fed * info.n_expert_used) << "layer " << layer;
  }
}

}  // namespace
}  // namespace vkmoe::test
