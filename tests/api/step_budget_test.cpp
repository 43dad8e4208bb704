// The frame-budgeted step must produce exactly the greedy tokens of the blocking path and of
// the goldens (transformers' float64 greedy ids), whatever the budget: one layer per call,
// a few layers, or whole steps. Prompts are fed in chunks of a few tokens, so prompt steps
// are split too.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"

namespace vkmoe::test {
namespace {

struct BudgetCase {
  std::string arch;
  uint32_t budget_us;
};

std::string case_name(const BudgetCase& c) { return c.arch + "_" + std::to_string(c.budget_us) + "us"; }

// A failing case names itself, not its bytes.
void PrintTo(const BudgetCase& c, std::ostream* os) { *os << case_name(c); }

class StepBudgetTest : public ApiTest, public ::testing::WithParamInterface<BudgetCase> {};

// The reference's greedy ids up to the model's first end-of-generation token, where a turn ends.
std::vector<uint32_t> expected_turn(vkmoe_model model, const std::vector<uint32_t>& greedy) {
  std::vector<uint32_t> out;
  for (uint32_t id : greedy) {
    int eog = 0;
    EXPECT_EQ(vkmoe_token_is_end_of_generation(model, id, &eog), VKMOE_OK);
    if (eog) break;
    out.push_back(id);
  }
  return out;
}

TEST_P(StepBudgetTest, GreedyTokensMatchBlockingPathAndGoldens) {
  const GoldenCase golden{GetParam().arch, "F16"};
  const Reference ref = read_reference(reference_path(golden));
  vkmoe_model model = load("gguf/" + golden.arch + "-F16.gguf");
  ASSERT_NE(model, nullptr);
  const std::vector<uint32_t> want = expected_turn(model, ref.greedy);
  const uint32_t max_new = static_cast<uint32_t>(ref.greedy.size());

  vkmoe_session blocking = session(model, 64, 5);
  vkmoe_turn_info turn = greedy_turn(ref.prompt, max_new);
  ASSERT_EQ(vkmoe_session_submit(blocking, &turn), VKMOE_OK);
  vkmoe_step_result all{};
  all.struct_size = sizeof(all);
  ASSERT_EQ(vkmoe_session_generate(blocking, &all), VKMOE_OK) << vkmoe_session_last_error(blocking);
  EXPECT_EQ(std::vector<uint32_t>(all.tokens, all.tokens + all.token_count), want);

  vkmoe_session stepped = session(model, 64, 5);
  ASSERT_EQ(vkmoe_session_submit(stepped, &turn), VKMOE_OK);
  const TurnRun run = step_to_end(stepped, GetParam().budget_us);
  ASSERT_EQ(run.status, VKMOE_OK) << vkmoe_session_last_error(stepped);
  EXPECT_EQ(run.tokens, want);
  EXPECT_EQ(run.reason, want.size() < ref.greedy.size() ? VKMOE_FINISH_END_OF_GENERATION : VKMOE_FINISH_MAX_TOKENS);
  EXPECT_EQ(run.over_budget, 0u) << "only a lone unit may exceed the budget";
  vkmoe_model_info info{};
  info.struct_size = sizeof(info);
  ASSERT_EQ(vkmoe_model_get_info(model, &info), VKMOE_OK);
  if (GetParam().budget_us == 1) {
    EXPECT_EQ(run.most_units, 1u) << "a 1 us budget submits one layer per call";
  }
  if (GetParam().budget_us >= 10000000) {
    EXPECT_EQ(run.most_units, info.n_layer + 2) << "once timed, a whole step fits a 10 s budget";
  }
  uint32_t position = 0;
  ASSERT_EQ(vkmoe_session_get_position(stepped, &position, nullptr), VKMOE_OK);
  // The prompt and every generated token but the last were fed.
  EXPECT_EQ(position, ref.prompt.size() + (run.tokens.empty() ? 0 : run.tokens.size() - (run.reason == VKMOE_FINISH_MAX_TOKENS)));
}

std::vector<BudgetCase> cases() {
  std::vector<BudgetCase> out;
  for (const char* arch : {"qwen3_moe", "mixtral", "deepseek_v3", "gpt_oss"}) {
    for (uint32_t budget : {1u, 400u, 4000u, 10000000u}) out.push_back({arch, budget});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Goldens, StepBudgetTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
