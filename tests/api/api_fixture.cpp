#include "tests/api/api_fixture.h"

#include <memory>
#include <thread>

#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

uint32_t validation_messages(vkmoe_context context, std::string* last = nullptr) {
  vkmoe_context_info info{};
  info.struct_size = sizeof(info);
  EXPECT_EQ(vkmoe_context_get_info(context, &info), VKMOE_OK);
  if (last != nullptr) *last = info.last_validation_message;
  return info.validation_messages;
}

}  // namespace

vkmoe_context ApiTest::context() {
  static std::unique_ptr<vkmoe_context_T, void (*)(vkmoe_context)> shared(
      [] {
        vkmoe_context_create_info info{};
        info.struct_size = sizeof(info);
        info.enable_validation = 1;
        char message[512] = "";
        info.error_message = message;
        info.error_message_capacity = sizeof(message);
        vkmoe_context c = nullptr;
        if (vkmoe_context_create(&info, &c) != VKMOE_OK) ADD_FAILURE() << message;
        return c;
      }(),
      vkmoe_context_destroy);
  return shared.get();
}

void ApiTest::SetUp() { validation_before_ = validation_messages(context()); }

void ApiTest::TearDown() {
  for (vkmoe_session s : sessions_) vkmoe_session_destroy(s);
  for (vkmoe_model m : models_) vkmoe_model_destroy(m);
  std::string last;
  EXPECT_EQ(validation_messages(context(), &last), validation_before_) << "Vulkan validation reported problems; last: " << last;
}

vkmoe_model ApiTest::load(const std::string& golden_relative, uint64_t vram_budget) {
  const std::string path = golden_path(golden_relative);
  vkmoe_model_load_info info{};
  info.struct_size = sizeof(info);
  info.path = path.c_str();
  info.max_ctx = 64;
  info.vram_budget_bytes = vram_budget;
  vkmoe_model m = nullptr;
  const vkmoe_status s = vkmoe_model_load(context(), &info, &m);
  EXPECT_EQ(s, VKMOE_OK) << vkmoe_context_last_error(context());
  if (m != nullptr) models_.push_back(m);
  return m;
}

vkmoe_session ApiTest::session(vkmoe_model model, uint32_t max_ctx, uint32_t max_tokens) {
  vkmoe_session_create_info info{};
  info.struct_size = sizeof(info);
  info.max_ctx = max_ctx;
  info.max_tokens = max_tokens;
  info.kv_cache_f32 = 1;  // the goldens' greedy ids come from a float32 cache
  vkmoe_session s = nullptr;
  EXPECT_EQ(vkmoe_session_create(model, &info, &s), VKMOE_OK) << vkmoe_model_last_error(model);
  if (s != nullptr) sessions_.push_back(s);
  return s;
}

vkmoe_turn_info greedy_turn(const std::vector<uint32_t>& input, uint32_t max_new) {
  vkmoe_turn_info t{};
  t.struct_size = sizeof(t);
  t.tokens = input.data();
  t.token_count = input.size();
  t.max_new_tokens = max_new;
  t.sampling = vkmoe_sampling_default();
  return t;
}

TurnRun ApiTest::step_to_end(vkmoe_session session, uint32_t budget_us) {
  TurnRun run;
  vkmoe_step_result r{};
  r.struct_size = sizeof(r);
  do {
    run.status = vkmoe_session_step(session, budget_us, &r);
    if (run.status != VKMOE_OK) return run;
    ++run.calls;
    run.most_units = std::max(run.most_units, r.layers_submitted);
    if (r.layers_submitted > 1 && r.gpu_us_submitted > budget_us) ++run.over_budget;
    run.tokens.insert(run.tokens.end(), r.tokens, r.tokens + r.token_count);
    run.text.append(r.text, r.text_length);
    // A frame's worth of other work: the GPU gets on with what was submitted.
    if (r.state == VKMOE_STEP_WORKING) std::this_thread::sleep_for(std::chrono::microseconds(200));
  } while (r.state != VKMOE_STEP_FINISHED && run.calls < 1000000);
  run.reason = r.finish_reason;
  return run;
}

}  // namespace vkmoe::test
