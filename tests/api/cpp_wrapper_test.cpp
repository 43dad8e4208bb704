// vkmoe.hpp: the RAII wrapper loads, tokenizes, renders a chat, generates the goldens' greedy
// ids, and turns error statuses into vkmoe::api_error carrying the status and the message.
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "tests/support/golden_reference.h"
#include "tests/support/goldens.h"
#include "vkmoe/vkmoe.hpp"

namespace vkmoe::test {
namespace {

TEST(CppWrapper, GeneratesAndThrowsWithTheStatus) {
  ::vkmoe::context ctx("", true);
  const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
  auto load = make_info<vkmoe_model_load_info>();
  load.path = path.c_str();
  load.max_ctx = 64;
  ::vkmoe::model m(ctx, load);
  EXPECT_EQ(m.detokenize(m.tokenize("Hello world", false)), "Hello world");
  EXPECT_FALSE(m.chat_render({{"user", "Hi"}}).empty());

  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  ::vkmoe::session s(m, 64);
  auto turn = make_info<vkmoe_turn_info>();
  turn.tokens = ref.prompt.data();
  turn.token_count = ref.prompt.size();
  turn.max_new_tokens = 4;
  turn.sampling = vkmoe_sampling_default();
  s.submit(turn);
  const vkmoe_step_result r = s.generate();
  EXPECT_EQ(std::vector<uint32_t>(r.tokens, r.tokens + r.token_count),
            std::vector<uint32_t>(ref.greedy.begin(), ref.greedy.begin() + 4));
  EXPECT_EQ(s.position(), ref.prompt.size() + 3);
  EXPECT_EQ(s.stats().generated_tokens, 4u);
  // 2 MoE layers of 16 experts, top-4: each layer served every fed token 4 times.
  const std::vector<uint64_t> usage = s.expert_usage();
  ASSERT_EQ(usage.size(), 2u * 16u);
  EXPECT_EQ(std::accumulate(usage.begin(), usage.begin() + 16, uint64_t(0)), (ref.prompt.size() + 3) * 4);
  EXPECT_EQ(std::accumulate(usage.begin() + 16, usage.end(), uint64_t(0)), (ref.prompt.size() + 3) * 4);

  turn.sampling.top_p = 0.0f;
  try {
    s.submit(turn);
    FAIL() << "top-p 0 must be refused";
  } catch (const ::vkmoe::api_error& e) {
    EXPECT_EQ(e.status(), VKMOE_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("top-p"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ctx.info().validation_messages, 0u) << ctx.info().last_validation_message;
}

TEST(CppWrapper, ContextErrorsCarryTheMessage) {
  try {
    ::vkmoe::context ctx("no device is called this");
    FAIL() << "an unmatched device selector must fail";
  } catch (const ::vkmoe::api_error& e) {
    EXPECT_EQ(e.status(), VKMOE_ERROR_NO_DEVICE);
    EXPECT_NE(std::string(e.what()).find("no device is called this"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vkmoe::test
