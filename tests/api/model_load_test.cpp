// Model loading through the C API: background loads that finish or are cancelled, the memory
// query against the placement the load then makes, VRAM budgets too small for the model, a
// budget under which the experts stream (blocking generation still exact, the frame-budgeted
// step refused with a reason), and files that do not exist.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

class ModelLoadTest : public ApiTest {
 protected:
  // `path` must outlive the info, which points into it.
  vkmoe_model_load_info info(const std::string& path) {
    vkmoe_model_load_info i{};
    i.struct_size = sizeof(i);
    i.path = path.c_str();
    i.max_ctx = 64;
    return i;
  }
  const std::string path_ = golden_path("gguf/qwen3_moe-F16.gguf");
};

struct LoadEvents {
  std::atomic<int> progress_calls{0};
  std::atomic<int> done_calls{0};
  std::atomic<vkmoe_status> done_status{VKMOE_NOT_READY};
  std::atomic<vkmoe_model> model{nullptr};  // set by the test once load_async returns
  bool cancel_on_first_progress = false;
};

void on_progress(void* user, float fraction) {
  auto* events = static_cast<LoadEvents*>(user);
  EXPECT_GE(fraction, 0.0f);
  EXPECT_LE(fraction, 1.0f);
  if (events->progress_calls++ == 0 && events->cancel_on_first_progress) {
    // The worker may get here before load_async has returned the handle to the test.
    while (events->model.load() == nullptr) std::this_thread::yield();
    EXPECT_EQ(vkmoe_model_load_cancel(events->model.load()), VKMOE_OK);
  }
}

void on_done(void* user, vkmoe_status status) {
  auto* events = static_cast<LoadEvents*>(user);
  events->done_status = status;
  ++events->done_calls;
}

TEST_F(ModelLoadTest, BackgroundLoadReportsProgressAndCompletion) {
  LoadEvents events;
  vkmoe_model_load_info i = info(path_);
  i.on_progress = on_progress;
  i.on_done = on_done;
  i.user_data = &events;
  vkmoe_model model = nullptr;
  ASSERT_EQ(vkmoe_model_load_async(context(), &i, &model), VKMOE_OK);
  ASSERT_NE(model, nullptr);
  vkmoe_status status = VKMOE_NOT_READY;
  while ((status = vkmoe_model_load_poll(model)) == VKMOE_NOT_READY) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(status, VKMOE_OK) << vkmoe_model_last_error(model);
  EXPECT_EQ(vkmoe_model_load_wait(model), VKMOE_OK);
  EXPECT_EQ(events.done_calls.load(), 1);
  EXPECT_EQ(events.done_status.load(), VKMOE_OK);
  EXPECT_GT(events.progress_calls.load(), 0);
  float fraction = 0;
  ASSERT_EQ(vkmoe_model_load_progress(model, &fraction), VKMOE_OK);
  EXPECT_EQ(fraction, 1.0f);
  vkmoe_model_info model_info{};
  model_info.struct_size = sizeof(model_info);
  EXPECT_EQ(vkmoe_model_get_info(model, &model_info), VKMOE_OK);
  EXPECT_STREQ(model_info.architecture, "qwen3moe");
  vkmoe_model_destroy(model);
}

TEST_F(ModelLoadTest, CancelledLoadEndsWithCancelledAndAModelThatRefusesUse) {
  LoadEvents events;
  events.cancel_on_first_progress = true;
  vkmoe_model_load_info i = info(path_);
  i.on_progress = on_progress;
  i.on_done = on_done;
  i.user_data = &events;
  vkmoe_model model = nullptr;
  ASSERT_EQ(vkmoe_model_load_async(context(), &i, &model), VKMOE_OK);
  events.model = model;
  EXPECT_EQ(vkmoe_model_load_wait(model), VKMOE_ERROR_CANCELLED) << vkmoe_model_last_error(model);
  EXPECT_EQ(vkmoe_model_load_poll(model), VKMOE_ERROR_CANCELLED);
  EXPECT_NE(std::string(vkmoe_model_last_error(model)).find("cancelled"), std::string::npos) << vkmoe_model_last_error(model);
  EXPECT_EQ(events.done_status.load(), VKMOE_ERROR_CANCELLED);
  vkmoe_session_create_info s{};
  s.struct_size = sizeof(s);
  vkmoe_session session = nullptr;
  EXPECT_EQ(vkmoe_session_create(model, &s, &session), VKMOE_ERROR_INVALID_STATE);
  EXPECT_EQ(session, nullptr);
  vkmoe_model_destroy(model);
}

TEST_F(ModelLoadTest, CancelBeforeTheWorkerStartsAndDestroyWhileLoading) {
  vkmoe_model_load_info i = info(path_);
  vkmoe_model model = nullptr;
  ASSERT_EQ(vkmoe_model_load_async(context(), &i, &model), VKMOE_OK);
  ASSERT_EQ(vkmoe_model_load_cancel(model), VKMOE_OK);
  EXPECT_EQ(vkmoe_model_load_wait(model), VKMOE_ERROR_CANCELLED);
  vkmoe_model_destroy(model);
  // Destroying a load in flight cancels it and waits; nothing leaks or crashes.
  ASSERT_EQ(vkmoe_model_load_async(context(), &i, &model), VKMOE_OK);
  vkmoe_model_destroy(model);
}

TEST_F(ModelLoadTest, TwoBackgroundLoadsOnOneContextAtOnce) {
  const std::string other = golden_path("gguf/mixtral-F16.gguf");
  vkmoe_model_load_info a = info(path_), b = info(other);
  vkmoe_model first = nullptr, second = nullptr;
  ASSERT_EQ(vkmoe_model_load_async(context(), &a, &first), VKMOE_OK);
  own(first);
  ASSERT_EQ(vkmoe_model_load_async(context(), &b, &second), VKMOE_OK);
  own(second);
  EXPECT_EQ(vkmoe_model_load_wait(first), VKMOE_OK) << vkmoe_model_last_error(first);
  EXPECT_EQ(vkmoe_model_load_wait(second), VKMOE_OK) << vkmoe_model_last_error(second);
  for (auto [model, arch] : {std::pair{first, "qwen3_moe"}, std::pair{second, "mixtral"}}) {
    const Reference ref = read_reference(reference_path({arch, "F16"}));
    vkmoe_session s = session(model);
    vkmoe_turn_info turn = greedy_turn(ref.prompt, 4);
    ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
    EXPECT_EQ(step_to_end(s, 1000).tokens, std::vector<uint32_t>(ref.greedy.begin(), ref.greedy.begin() + 4)) << arch;
  }
}

TEST_F(ModelLoadTest, MemoryQueryMatchesWhatTheLoadPlaces) {
  vkmoe_model_load_info i = info(path_);
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  ASSERT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_EQ(memory.total_bytes, memory.dense_bytes + memory.expert_bytes);
  EXPECT_EQ(memory.experts_stream, 0);
  EXPECT_EQ(memory.total_experts, 2u * 16u);  // 2 MoE layers of 16 experts
  // 2 layers x (K + V) x 64 KV heads' dims x 1024 positions, float16: check against the config.
  EXPECT_GT(memory.kv_bytes_per_1k_tokens, 0u);
  EXPECT_EQ(memory.kv_bytes_per_1k_tokens % 1024, 0u);

  // A budget that holds the dense part and half the experts: they stream.
  i.vram_budget_bytes = memory.dense_bytes + memory.session_reserve_bytes + memory.expert_bytes / 2;
  ASSERT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_EQ(memory.experts_stream, 1);
  EXPECT_GE(memory.expert_slots, 4u);
  EXPECT_LT(memory.expert_slots, memory.total_experts);
  EXPECT_EQ(memory.budget_bytes, i.vram_budget_bytes);
}

TEST_F(ModelLoadTest, BudgetTooSmallIsAStatusWithTheNumbers) {
  vkmoe_model_load_info i = info(path_);
  i.vram_budget_bytes = 64 * 1024;
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  EXPECT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_ERROR_OUT_OF_MEMORY);
  vkmoe_model model = nullptr;
  EXPECT_EQ(vkmoe_model_load(context(), &i, &model), VKMOE_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(model, nullptr);
  const std::string message = vkmoe_context_last_error(context());
  EXPECT_NE(message.find("exceed the VRAM budget"), std::string::npos) << message;
}

TEST_F(ModelLoadTest, MissingFileIsNotFound) {
  const std::string missing = "/nonexistent/model.gguf";
  vkmoe_model_load_info i = info(missing);
  vkmoe_model model = nullptr;
  EXPECT_EQ(vkmoe_model_load(context(), &i, &model), VKMOE_ERROR_NOT_FOUND);
  EXPECT_NE(std::string(vkmoe_context_last_error(context())).find("/nonexistent/model.gguf"), std::string::npos);
}

TEST_F(ModelLoadTest, StreamingExpertsGenerateExactlyButRefuseTheFrameBudgetedStep) {
  vkmoe_model_load_info i = info(path_);
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  ASSERT_EQ(vkmoe_model_query_memory(context(), &i, &memory), VKMOE_OK);
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf", memory.dense_bytes + memory.session_reserve_bytes + memory.expert_bytes / 2);
  ASSERT_NE(model, nullptr);
  vkmoe_model_info model_info{};
  model_info.struct_size = sizeof(model_info);
  ASSERT_EQ(vkmoe_model_get_info(model, &model_info), VKMOE_OK);
  ASSERT_EQ(model_info.experts_stream, 1);

  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  vkmoe_session s = session(model);
  vkmoe_turn_info turn = greedy_turn(ref.prompt, 12);
  ASSERT_EQ(vkmoe_session_submit(s, &turn), VKMOE_OK);
  vkmoe_step_result r{};
  r.struct_size = sizeof(r);
  EXPECT_EQ(vkmoe_session_step(s, 1000, &r), VKMOE_ERROR_UNSUPPORTED);
  EXPECT_NE(std::string(vkmoe_session_last_error(s)).find("streams its experts"), std::string::npos);
  ASSERT_EQ(vkmoe_session_generate(s, &r), VKMOE_OK) << vkmoe_session_last_error(s);
  EXPECT_EQ(std::vector<uint32_t>(r.tokens, r.tokens + r.token_count), ref.greedy);
  vkmoe_stats stats{};
  stats.struct_size = sizeof(stats);
  ASSERT_EQ(vkmoe_session_get_stats(s, &stats), VKMOE_OK);
  EXPECT_GT(stats.expert_uses, 0u);
  EXPECT_EQ(stats.expert_hits + stats.expert_misses, stats.expert_uses);
  EXPECT_GT(stats.expert_bytes_copied + stats.expert_bytes_zero_copy, 0u);
}

}  // namespace
}  // namespace vkmoe::test
