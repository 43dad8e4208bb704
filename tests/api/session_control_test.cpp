// Turn control through the C API on a golden model: cancellation mid-prompt and
// mid-generation (effective at the next step call), stop tokens and strings, the context
// limit, rewinding for chat reuse, several sessions on one model, and refused input that
// leaves the session usable. Expected tokens are the goldens' greedy ids.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"

namespace vkmoe::test {
namespace {

class SessionControlTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ref_ = read_reference(reference_path({"qwen3_moe", "F16"}));
    model_ = load("gguf/qwen3_moe-F16.gguf");
    ASSERT_NE(model_, nullptr);
    for (uint32_t id : ref_.greedy) {
      int eog = 0;
      ASSERT_EQ(vkmoe_token_is_end_of_generation(model_, id, &eog), VKMOE_OK);
      ASSERT_FALSE(eog) << "these tests expect 12 greedy ids without an end token";
    }
  }

  std::vector<uint32_t> greedy(size_t n) const { return {ref_.greedy.begin(), ref_.greedy.begin() + n}; }

  // A greedy turn to its end: must give the goldens' ids (the session is in a good state).
  void expect_golden_turn(vkmoe_session s, uint32_t budget_us = 300) {
    vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
    ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK) << vkmoe_session_last_error(s);
    const TurnRun run = step_to_end(s, budget_us);
    ASSERT_EQ(run.status, VKMOE_OK) << vkmoe_session_last_error(s);
    EXPECT_EQ(run.tokens, ref_.greedy);
  }

  vkmoe_step_result step(vkmoe_session s, uint32_t budget_us) {
    vkmoe_step_result r{};
    r.struct_size = sizeof(r);
    EXPECT_EQ(vkmoe_session_step(s, budget_us, &r), VKMOE_OK) << vkmoe_session_last_error(s);
    return r;
  }

  Reference ref_;
  vkmoe_model model_ = nullptr;
};

TEST_F(SessionControlTest, CancelMidPromptStopsAtTheNextCallAndLeavesTheSessionUsable) {
  vkmoe_session s = session(model_, 64, 2);
  std::vector<uint32_t> prompt;
  for (int i = 0; i < 2; ++i) prompt.insert(prompt.end(), ref_.prompt.begin(), ref_.prompt.end());
  vkmoe_turn_info turn = greedy_turn(prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(step(s, 1).state, VKMOE_STEP_WORKING);
  ASSERT_EQ(vkmoe_session_cancel(s), VKMOE_OK);
  const vkmoe_step_result r = step(s, 1);
  EXPECT_EQ(r.state, VKMOE_STEP_FINISHED);
  EXPECT_EQ(r.finish_reason, VKMOE_FINISH_CANCELLED);
  EXPECT_EQ(r.token_count, 0u);
  EXPECT_EQ(r.layers_submitted, 0u) << "a cancelled turn submits nothing more";
  uint32_t position = 0;
  ASSERT_EQ(vkmoe_session_get_position(s, &position, nullptr), VKMOE_OK);
  EXPECT_LT(position, prompt.size());
  ASSERT_EQ(vkmoe_session_rewind(s, 0), VKMOE_OK);
  expect_golden_turn(s);
}

TEST_F(SessionControlTest, CancelFromAnotherThreadMidGeneration) {
  vkmoe_session s = session(model_);
  vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  std::vector<uint32_t> got;
  vkmoe_step_result r{};
  do {
    r = step(s, 1);
    got.insert(got.end(), r.tokens, r.tokens + r.token_count);
  } while (got.size() < 3 && r.state != VKMOE_STEP_FINISHED);
  ASSERT_EQ(got, greedy(3));
  std::thread([&] { EXPECT_EQ(vkmoe_session_cancel(s), VKMOE_OK); }).join();
  r = step(s, 1);
  EXPECT_EQ(r.state, VKMOE_STEP_FINISHED);
  EXPECT_EQ(r.finish_reason, VKMOE_FINISH_CANCELLED);
  EXPECT_EQ(r.layers_submitted, 0u);
  ASSERT_EQ(vkmoe_session_rewind(s, 0), VKMOE_OK);
  expect_golden_turn(s);
}

TEST_F(SessionControlTest, TokenCallbackSeesEveryTokenAndCanEndTheTurn) {
  vkmoe_session s = session(model_);
  struct Seen {
    std::vector<uint32_t> tokens;
  } seen;
  vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
  turn.user_data = &seen;
  turn.on_token = [](void* user, uint32_t token, const char*, size_t) {
    auto* seen = static_cast<Seen*>(user);
    seen->tokens.push_back(token);
    return seen->tokens.size() == 5 ? 1 : 0;
  };
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  vkmoe_step_result r{};
  r.struct_size = sizeof(r);
  ASSERT_EQ(vkmoe_session_generate(s, &r), VKMOE_OK);
  EXPECT_EQ(r.finish_reason, VKMOE_FINISH_CANCELLED);
  EXPECT_EQ(seen.tokens, greedy(5));
  EXPECT_EQ(std::vector<uint32_t>(r.tokens, r.tokens + r.token_count), greedy(5));
}

TEST_F(SessionControlTest, StopTokenAndStopString) {
  vkmoe_session s = session(model_);
  vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
  turn.stop_tokens = &ref_.greedy[4];
  turn.stop_token_count = 1;
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  TurnRun run = step_to_end(s, 300);
  EXPECT_EQ(run.reason, VKMOE_FINISH_STOP_TOKEN);
  const auto first_stop = std::find(ref_.greedy.begin(), ref_.greedy.end(), ref_.greedy[4]) - ref_.greedy.begin();
  EXPECT_EQ(run.tokens, greedy(first_stop)) << "the stop token itself is not emitted";

  // The text of the first three ids, as the tokenizer decodes it, ends the turn once produced.
  char text[1024];
  size_t length = 0;
  ASSERT_EQ(vkmoe_detokenize(model_, ref_.greedy.data(), 3, text, sizeof(text), &length), VKMOE_OK);
  const std::string stop(text, length);
  const char* stops[] = {"a stop string the model never writes", stop.c_str()};
  ASSERT_EQ(vkmoe_session_rewind(s, 0), VKMOE_OK);
  turn = greedy_turn(ref_.prompt, 12);
  turn.stop_strings = stops;
  turn.stop_string_count = 2;
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  run = step_to_end(s, 300);
  EXPECT_EQ(run.reason, VKMOE_FINISH_STOP_STRING);
  ASSERT_GE(run.tokens.size(), 1u);
  EXPECT_EQ(run.tokens, greedy(run.tokens.size()));
  EXPECT_NE(run.text.find(stop), std::string::npos) << run.text;
}

TEST_F(SessionControlTest, ContextLimitRefusesInputThenEndsGeneration) {
  const uint32_t max_ctx = static_cast<uint32_t>(ref_.prompt.size()) + 3;
  vkmoe_session s = session(model_, max_ctx);
  std::vector<uint32_t> too_long(max_ctx + 1, ref_.prompt[0]);
  vkmoe_turn_info turn = greedy_turn(too_long, 12);
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_CONTEXT_OVERFLOW);
  EXPECT_NE(std::string(vkmoe_session_last_error(s)).find("context"), std::string::npos) << vkmoe_session_last_error(s);
  uint32_t position = 99;
  ASSERT_EQ(vkmoe_session_get_position(s, &position, nullptr), VKMOE_OK);
  EXPECT_EQ(position, 0u);

  turn = greedy_turn(ref_.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  const TurnRun run = step_to_end(s, 300);
  ASSERT_EQ(run.status, VKMOE_OK);
  EXPECT_EQ(run.reason, VKMOE_FINISH_CONTEXT_FULL);
  EXPECT_EQ(run.tokens, greedy(4)) << "the prompt and three fed tokens fill the context; a fourth is sampled";
  // Full now: more input is refused, and the session is still usable after a rewind.
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_CONTEXT_OVERFLOW);
  ASSERT_EQ(vkmoe_session_rewind(s, 0), VKMOE_OK);
  turn = greedy_turn(ref_.prompt, 4);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  EXPECT_EQ(step_to_end(s, 300).tokens, greedy(4));
}

TEST_F(SessionControlTest, RewindKeepsTheSharedPrefix) {
  vkmoe_session s = session(model_);
  expect_golden_turn(s);
  // Keep all of the prompt but its last token; feeding that token again must continue as before.
  ASSERT_EQ(vkmoe_session_rewind(s, static_cast<uint32_t>(ref_.prompt.size() - 1)), VKMOE_OK);
  vkmoe_turn_info turn = greedy_turn({ref_.prompt.back()}, 12);
  std::vector<uint32_t> last{ref_.prompt.back()};
  turn.tokens = last.data();
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  EXPECT_EQ(step_to_end(s, 300).tokens, ref_.greedy);
  uint32_t position = 0;
  ASSERT_EQ(vkmoe_session_get_position(s, &position, nullptr), VKMOE_OK);
  EXPECT_EQ(vkmoe_session_rewind(s, position + 1), VKMOE_ERROR_INVALID_ARGUMENT);
}

TEST_F(SessionControlTest, TwoSessionsOfOneModelInterleave) {
  vkmoe_session a = session(model_, 64, 3);
  vkmoe_session b = session(model_, 64, 128);
  vkmoe_turn_info turn = greedy_turn(ref_.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(a, &turn), VKMOE_OK);
  ASSERT_EQ(vkmoe_session_submit(b, &turn), VKMOE_OK);
  std::vector<uint32_t> got_a, got_b;
  bool done_a = false, done_b = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(done_a && done_b) && std::chrono::steady_clock::now() < give_up) {
    if (!done_a) {
      const vkmoe_step_result r = step(a, 1);
      got_a.insert(got_a.end(), r.tokens, r.tokens + r.token_count);
      done_a = r.state == VKMOE_STEP_FINISHED;
    }
    if (!done_b) {
      const vkmoe_step_result r = step(b, 2000);
      got_b.insert(got_b.end(), r.tokens, r.tokens + r.token_count);
      done_b = r.state == VKMOE_STEP_FINISHED;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // the rest of a frame
  }
  EXPECT_EQ(got_a, ref_.greedy);
  EXPECT_EQ(got_b, ref_.greedy);
}

TEST_F(SessionControlTest, RefusedSettingsNameTheProblemAndLeaveTheSessionUsable) {
  vkmoe_session s = session(model_);
  vkmoe_step_result r{};
  r.struct_size = sizeof(r);
  EXPECT_EQ(vkmoe_session_step(s, 100, &r), VKMOE_ERROR_INVALID_STATE) << "no turn submitted yet";
  struct Bad {
    const char* what;
    vkmoe_sampling sampling;
  };
  std::vector<Bad> bad;
  auto with = [](auto change) {
    vkmoe_sampling s = vkmoe_sampling_default();
    change(s);
    return s;
  };
  bad.push_back({"temperature", with([](vkmoe_sampling& s) { s.temperature = -1.0f; })});
  bad.push_back({"top-p", with([](vkmoe_sampling& s) { s.top_p = 0.0f; })});
  bad.push_back({"top-p", with([](vkmoe_sampling& s) { s.top_p = 1.5f; })});
  bad.push_back({"min-p", with([](vkmoe_sampling& s) { s.min_p = -0.1f; })});
  bad.push_back({"min-p", with([](vkmoe_sampling& s) { s.min_p = 1.5f; })});
  bad.push_back({"repetition penalty", with([](vkmoe_sampling& s) { s.repetition_penalty = 0.0f; })});
  for (const Bad& b : bad) {
    vkmoe_turn_info turn = greedy_turn(ref_.prompt, 4);
    turn.sampling = b.sampling;
    EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT) << b.what;
    EXPECT_NE(std::string(vkmoe_session_last_error(s)).find(b.what), std::string::npos) << vkmoe_session_last_error(s);
    char message[256] = "";
    EXPECT_EQ(vkmoe_sampling_validate(&b.sampling, message, sizeof(message)), VKMOE_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(message).find(b.what), std::string::npos) << message;
  }
  vkmoe_model_info info{};
  info.struct_size = sizeof(info);
  ASSERT_EQ(vkmoe_model_get_info(model_, &info), VKMOE_OK);
  std::vector<uint32_t> outside{ref_.prompt[0], info.n_vocab};
  vkmoe_turn_info turn = greedy_turn(outside, 4);
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(vkmoe_session_last_error(s)).find("outside the vocabulary"), std::string::npos);
  turn = greedy_turn({}, 4);
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT);

  turn = greedy_turn(ref_.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  EXPECT_EQ(vkmoe_session_step(s, 0, &r), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(vkmoe_session_last_error(s)).find("budget"), std::string::npos) << vkmoe_session_last_error(s);
  EXPECT_EQ(r.state, VKMOE_STEP_ERROR);
  EXPECT_EQ(r.finish_reason, VKMOE_FINISH_ERROR);
  EXPECT_EQ(step_to_end(s, 300).tokens, ref_.greedy);
}

TEST_F(SessionControlTest, StatisticsCountTheTurns) {
  vkmoe_session s = session(model_);
  expect_golden_turn(s);
  vkmoe_stats stats{};
  stats.struct_size = sizeof(stats);
  ASSERT_EQ(vkmoe_session_get_stats(s, &stats), VKMOE_OK);
  EXPECT_EQ(stats.prompt_tokens, ref_.prompt.size());
  EXPECT_EQ(stats.generated_tokens, ref_.greedy.size());
  EXPECT_GT(stats.prompt_seconds, 0.0);
  EXPECT_GT(stats.generation_seconds, 0.0);
  EXPECT_GT(stats.generation_tokens_per_second, 0.0);
  EXPECT_GT(stats.gpu_ms_per_token, 0.0) << "one-token steps are timed with timestamps";
  EXPECT_GT(stats.vram_used_bytes, 0u);
  EXPECT_EQ(stats.expert_uses, 0u) << "every expert is resident: nothing streams";
}

}  // namespace
}  // namespace vkmoe::test
