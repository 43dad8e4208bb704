// vkmoe_model_load_info's streamed-expert options (policy, prefetch, zero-copy): each setting
// still generates the goldens' greedy ids, switching zero-copy off leaves no bytes read in
// place where the defaults read some, an unknown policy is refused by name, and a caller
// built against the first version of the struct (without these fields) keeps the defaults.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

struct StreamedRun {
  vkmoe_status load_status = VKMOE_OK;
  std::vector<uint32_t> tokens;
  vkmoe_stats stats{};
};

class ExpertLoadOptionsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ref_ = read_reference(reference_path({"qwen3_moe", "F16"}));
    path_ = golden_path("gguf/qwen3_moe-F16.gguf");
  }

  // Load info whose budget holds the dense part and half the experts: they stream.
  vkmoe_model_load_info streaming_info() {
    vkmoe_model_load_info i{};
    i.struct_size = sizeof(i);
    i.path = path_.c_str();
    i.max_ctx = 64;
    vkmoe_model_memory memory{};
    memory.struct_size = sizeof(memory);
    EXPECT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
    i.vram_budget_bytes = memory.dense_bytes + memory.session_reserve_bytes + memory.expert_bytes / 2;
    return i;
  }

  StreamedRun run(const vkmoe_model_load_info& i) {
    StreamedRun out;
    vkmoe_model m = nullptr;
    out.load_status = vkmoe_model_load(context(), &i, &m);
    if (out.load_status != VKMOE_OK) return out;
    own(m);
    vkmoe_session s = session(m);
    vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
    EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
    vkmoe_step_result r{};
    r.struct_size = sizeof(r);
    EXPECT_EQ(vkmoe_session_generate(s, &r), VKMOE_OK) << vkmoe_session_last_error(s);
    out.tokens.assign(r.tokens, r.tokens + r.token_count);
    out.stats.struct_size = sizeof(out.stats);
    EXPECT_EQ(vkmoe_session_get_stats(s, &out.stats), VKMOE_OK);
    EXPECT_GT(out.stats.expert_misses, 0u) << "the experts must stream in this test";
    return out;
  }

  Reference ref_;
  std::string path_;
};

TEST_F(ExpertLoadOptionsTest, EverySettingGeneratesTheGoldenIds) {
  const StreamedRun defaults = run(streaming_info());
  ASSERT_EQ(defaults.load_status, VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_EQ(defaults.tokens, ref_.greedy);
  EXPECT_GT(defaults.stats.expert_bytes_zero_copy, 0u) << "the defaults read single-token misses in place";

  vkmoe_model_load_info i = streaming_info();
  i.expert_policy = "lfu";
  i.disable_prefetch = 1;
  i.disable_zero_copy = 1;
  const StreamedRun changed = run(i);
  ASSERT_EQ(changed.load_status, VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_EQ(changed.tokens, ref_.greedy);
  EXPECT_EQ(changed.stats.expert_bytes_zero_copy, 0u);
}

TEST_F(ExpertLoadOptionsTest, UnknownPolicyIsRefusedByName) {
  vkmoe_model_load_info i = streaming_info();
  i.expert_policy = "mru";
  vkmoe_model m = nullptr;
  EXPECT_EQ(vkmoe_model_load(context(), &i, &m), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(vkmoe_context_last_error(context())).find("mru"), std::string::npos)
      << vkmoe_context_last_error(context());
}

TEST_F(ExpertLoadOptionsTest, FirstVersionOfTheStructKeepsTheDefaults) {
  vkmoe_model_load_info i = streaming_info();
  i.struct_size = uint32_t(offsetof(vkmoe_model_load_info, expert_policy));
  i.expert_policy = "mru";  // past the caller's struct: must not be read
  i.disable_zero_copy = 1;
  const StreamedRun r = run(i);
  ASSERT_EQ(r.load_status, VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_EQ(r.tokens, ref_.greedy);
  EXPECT_GT(r.stats.expert_bytes_zero_copy, 0u);
}

}  // namespace
}  // namespace vkmoe::test
