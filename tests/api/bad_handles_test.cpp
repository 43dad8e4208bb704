// Every C API call given a NULL handle, a handle of the wrong type, a NULL output or a struct
// without its size answers with a status (and, where there is a handle, a message); none
// crashes.
#include <gtest/gtest.h>

#include <string>

#include "tests/api/api_fixture.h"

namespace vkmoe::test {
namespace {

class BadHandlesTest : public ApiTest {};

TEST_F(BadHandlesTest, NullHandlesAreInvalidHandles) {
  uint32_t u = 0;
  size_t n = 0;
  float f = 0;
  int flag = 0;
  char text[16];
  vkmoe_model model = nullptr;
  vkmoe_session session = nullptr;
  vkmoe_context_info context_info{};
  context_info.struct_size = sizeof(context_info);
  vkmoe_model_info model_info{};
  model_info.struct_size = sizeof(model_info);
  vkmoe_model_load_info load{};
  load.struct_size = sizeof(load);
  load.path = "x.gguf";
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  vkmoe_session_create_info session_info{};
  session_info.struct_size = sizeof(session_info);
  vkmoe_turn_info turn{};
  turn.struct_size = sizeof(turn);
  vkmoe_step_result result{};
  result.struct_size = sizeof(result);
  vkmoe_stats stats{};
  stats.struct_size = sizeof(stats);
  vkmoe_chat_message message{"user", "hi"};

  EXPECT_EQ(vkmoe_context_get_info(nullptr, &context_info), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_query_memory(nullptr, &load, &memory), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load(nullptr, &load, &model), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_async(nullptr, &load, &model), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_poll(nullptr), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_wait(nullptr), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_progress(nullptr, &f), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_cancel(nullptr), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_get_info(nullptr, &model_info), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_tokenize(nullptr, "a", 1, 0, 0, &u, 1, &n), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_detokenize(nullptr, &u, 1, text, sizeof(text), &n), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_token_to_piece(nullptr, 0, text, sizeof(text), &n), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_token_is_end_of_generation(nullptr, 0, &flag), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_chat_render(nullptr, &message, 1, 1, text, sizeof(text), &n), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_create(nullptr, &session_info, &session), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_get_position(nullptr, &u, &u), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_rewind(nullptr, 0), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_submit(nullptr, &turn), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_step(nullptr, 100, &result), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_generate(nullptr, &result), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_cancel(nullptr), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_get_stats(nullptr, &stats), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_session_reset_stats(nullptr), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_NE(vkmoe_context_last_error(nullptr), nullptr);
  EXPECT_NE(vkmoe_model_last_error(nullptr), nullptr);
  EXPECT_NE(vkmoe_session_last_error(nullptr), nullptr);
  vkmoe_session_destroy(nullptr);
  vkmoe_model_destroy(nullptr);
  vkmoe_context_destroy(nullptr);
}

TEST_F(BadHandlesTest, WrongTypeHandlesAreInvalidHandles) {
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(model, nullptr);
  vkmoe_session s = session(model);
  auto* as_session = reinterpret_cast<vkmoe_session>(model);
  auto* as_model = reinterpret_cast<vkmoe_model>(s);
  auto* as_context = reinterpret_cast<vkmoe_context>(s);
  EXPECT_EQ(vkmoe_session_cancel(as_session), VKMOE_ERROR_INVALID_HANDLE);
  EXPECT_EQ(vkmoe_model_load_poll(as_model), VKMOE_ERROR_INVALID_HANDLE);
  vkmoe_context_info info{};
  info.struct_size = sizeof(info);
  EXPECT_EQ(vkmoe_context_get_info(as_context, &info), VKMOE_ERROR_INVALID_HANDLE);
  vkmoe_session_destroy(as_session);  // ignored: not a session
  vkmoe_model_destroy(as_model);      // ignored: not a model
  EXPECT_EQ(vkmoe_model_load_poll(model), VKMOE_OK) << "the model survived a destroy through the wrong type";
}

TEST_F(BadHandlesTest, NullOutputsAndMissingStructSizesAreInvalidArguments) {
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(model, nullptr);
  vkmoe_session s = session(model);
  uint32_t u = 0;
  size_t n = 0;

  vkmoe_context c = nullptr;
  EXPECT_EQ(vkmoe_context_create(nullptr, &c), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_context_create_info create{};  // struct_size 0
  char message[256] = "";
  create.error_message = message;
  create.error_message_capacity = sizeof(message);
  EXPECT_EQ(vkmoe_context_create(&create, &c), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(c, nullptr);
  EXPECT_NE(std::string(message).find("struct_size"), std::string::npos) << message;
  create.struct_size = sizeof(create);
  EXPECT_EQ(vkmoe_context_create(&create, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_external_device external{};  // struct_size 0
  create.external_device = &external;
  EXPECT_EQ(vkmoe_context_create(&create, &c), VKMOE_ERROR_INVALID_ARGUMENT);
  external.struct_size = sizeof(external);
  EXPECT_EQ(vkmoe_context_create(&create, &c), VKMOE_ERROR_INVALID_ARGUMENT) << "no device handles";
  EXPECT_NE(std::string(message).find("required"), std::string::npos) << message;
  vkmoe_device_requirements requirements{};
  EXPECT_EQ(vkmoe_get_device_requirements(VK_NULL_HANDLE, &requirements), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_get_device_requirements(VK_NULL_HANDLE, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);

  EXPECT_EQ(vkmoe_context_get_info(context(), nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_context_info context_info{};
  EXPECT_EQ(vkmoe_context_get_info(context(), &context_info), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(vkmoe_context_last_error(context())).find("struct_size"), std::string::npos);
  vkmoe_model loaded = nullptr;
  EXPECT_EQ(vkmoe_model_load(context(), nullptr, &loaded), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_model_load_info load_info{};
  load_info.struct_size = sizeof(load_info);
  EXPECT_EQ(vkmoe_model_load(context(), &load_info, &loaded), VKMOE_ERROR_INVALID_ARGUMENT) << "no path";
  EXPECT_EQ(vkmoe_model_load_progress(model, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_model_get_info(model, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);

  EXPECT_EQ(vkmoe_tokenize(model, nullptr, 3, 0, 0, &u, 1, &n), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_tokenize(model, "abc", 3, 0, 0, &u, 1, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_detokenize(model, nullptr, 2, nullptr, 0, &n), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_token_to_piece(model, 0xFFFFFFF0u, nullptr, 0, &n), VKMOE_ERROR_INVALID_ARGUMENT) << "no such token";
  EXPECT_EQ(vkmoe_chat_render(model, nullptr, 1, 1, nullptr, 0, &n), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_chat_message null_content{"user", nullptr};
  EXPECT_EQ(vkmoe_chat_render(model, &null_content, 1, 1, nullptr, 0, &n), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_token_is_end_of_generation(model, 0, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);

  vkmoe_session other = nullptr;
  EXPECT_EQ(vkmoe_session_create(model, nullptr, &other), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_session_get_position(s, nullptr, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_session_submit(s, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_turn_info turn{};  // struct_size 0
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT);
  turn.struct_size = sizeof(turn);
  turn.sampling = vkmoe_sampling_default();
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT) << "neither tokens nor text";
  turn.text = "hello";
  turn.text_length = 5;
  turn.stop_string_count = 2;  // with stop_strings NULL
  EXPECT_EQ(vkmoe_session_submit(s, &turn), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_session_step(s, 100, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  vkmoe_step_result result{};  // struct_size 0
  EXPECT_EQ(vkmoe_session_step(s, 100, &result), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_session_get_stats(s, nullptr), VKMOE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(vkmoe_sampling_validate(nullptr, nullptr, 0), VKMOE_ERROR_INVALID_ARGUMENT);
}

TEST_F(BadHandlesTest, BufferTooSmallReportsTheSizeNeeded) {
  vkmoe_model model = load("gguf/qwen3_moe-F16.gguf");
  ASSERT_NE(model, nullptr);
  const char* text = "Hello world";
  size_t needed = 0;
  ASSERT_EQ(vkmoe_tokenize(model, text, 11, 0, 1, nullptr, 0, &needed), VKMOE_ERROR_BUFFER_TOO_SMALL);
  ASSERT_GT(needed, 1u);
  std::vector<uint32_t> tokens(needed);
  size_t n = 0;
  EXPECT_EQ(vkmoe_tokenize(model, text, 11, 0, 1, tokens.data(), needed - 1, &n), VKMOE_ERROR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, needed);
  EXPECT_EQ(vkmoe_tokenize(model, text, 11, 0, 1, tokens.data(), needed, &n), VKMOE_OK);
  char small[4];
  EXPECT_EQ(vkmoe_detokenize(model, tokens.data(), tokens.size(), small, sizeof(small), &n), VKMOE_ERROR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, 11u);
}

}  // namespace
}  // namespace vkmoe::test
