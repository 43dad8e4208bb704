/* Compiled as C99: proves vkmoe.h is a C header, and calls every function of it once on a
 * golden model, as a C embedder would. c_api_test.cpp runs it and reports its failures. */
#include <stdio.h>
#include <string.h>

#include "tests/api/c_api_exercise.h"
#include "vkmoe/vkmoe.h"

#define EXPECT(cond)                                                                     \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      snprintf(failure, failure_capacity, "%s:%d: %s", __FILE__, __LINE__, #cond);      \
      goto done;                                                                         \
    }                                                                                    \
  } while (0)

#define EXPECT_OK(call)                                                                  \
  do {                                                                                   \
    vkmoe_status s_ = (call);                                                            \
    if (s_ != VKMOE_OK) {                                                                \
      snprintf(failure, failure_capacity, "%s:%d: %s gave %s", __FILE__, __LINE__, #call, \
               vkmoe_status_name(s_));                                                   \
      goto done;                                                                         \
    }                                                                                    \
  } while (0)

struct progress_log {
  int calls;
  float last;
  int done_calls;
  vkmoe_status done_status;
};

static void on_progress(void* user, float fraction) {
  struct progress_log* log = (struct progress_log*)user;
  log->calls++;
  log->last = fraction;
}

static void on_done(void* user, vkmoe_status status) {
  struct progress_log* log = (struct progress_log*)user;
  log->done_calls++;
  log->done_status = status;
}

static int count_tokens(void* user, uint32_t token, const char* piece, size_t length) {
  (void)token;
  (void)piece;
  (void)length;
  ++*(int*)user;
  return 0;
}

int vkmoe_c_api_exercise(const char* model_path, char* failure, size_t failure_capacity) {
  int ok = 0;
  vkmoe_context context = NULL;
  vkmoe_model model = NULL;
  vkmoe_model async_model = NULL;
  vkmoe_session session = NULL;
  char message[256] = "";
  failure[0] = '\0';

  EXPECT(strcmp(vkmoe_status_name(VKMOE_ERROR_CONTEXT_OVERFLOW), "VKMOE_ERROR_CONTEXT_OVERFLOW") == 0);

  { /* What a host would enable: asked of the first physical device of a plain instance. */
    VkInstanceCreateInfo instance_info = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO};
    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    uint32_t count = 1;
    vkmoe_device_requirements requirements;
    vkmoe_status status;
    app.apiVersion = VK_API_VERSION_1_2;
    instance_info.pApplicationInfo = &app;
    EXPECT(vkCreateInstance(&instance_info, NULL, &instance) == VK_SUCCESS);
    vkEnumeratePhysicalDevices(instance, &count, &physical);
    memset(&requirements, 0, sizeof(requirements));
    requirements.struct_size = sizeof(requirements);
    status = physical != VK_NULL_HANDLE ? vkmoe_get_device_requirements(physical, &requirements) : VKMOE_ERROR_NO_DEVICE;
    vkDestroyInstance(instance, NULL);
    EXPECT_OK(status);
    EXPECT(requirements.required_extension_count >= 1 && requirements.features.pNext == &requirements.features11);
  }

  {
    vkmoe_context_create_info info = {sizeof(vkmoe_context_create_info)};
    info.enable_validation = 1;
    info.error_message = message;
    info.error_message_capacity = sizeof(message);
    EXPECT_OK(vkmoe_context_create(&info, &context));
  }
  {
    vkmoe_context_info info = {sizeof(vkmoe_context_info)};
    EXPECT_OK(vkmoe_context_get_info(context, &info));
    EXPECT(info.owns_device == 1);
    EXPECT(info.device_name[0] != '\0');
    EXPECT(vkmoe_context_last_error(context) != NULL);
  }

  {
    vkmoe_model_load_info load = {sizeof(vkmoe_model_load_info)};
    vkmoe_model_memory memory = {sizeof(vkmoe_model_memory)};
    struct progress_log log = {0, 0.0f, 0, VKMOE_NOT_READY};
    float fraction = 0.0f;
    load.path = model_path;
    load.max_ctx = 64;
    load.on_progress = on_progress;
    load.user_data = &log;
    EXPECT_OK(vkmoe_model_query_memory(context, &load, &memory));
    EXPECT(memory.total_bytes == memory.dense_bytes + memory.expert_bytes);
    EXPECT(memory.expert_bytes > 0 && memory.kv_bytes_per_1k_tokens > 0);
    EXPECT(memory.experts_stream == 0);

    EXPECT_OK(vkmoe_model_load(context, &load, &model));
    EXPECT(log.calls > 0 && log.last == 1.0f);
    EXPECT_OK(vkmoe_model_load_poll(model));
    EXPECT_OK(vkmoe_model_load_progress(model, &fraction));
    EXPECT(fraction == 1.0f);

    log.calls = 0;
    load.on_done = on_done;
    EXPECT_OK(vkmoe_model_load_async(context, &load, &async_model));
    EXPECT_OK(vkmoe_model_load_wait(async_model));
    EXPECT_OK(vkmoe_model_load_poll(async_model));
    EXPECT(log.done_calls == 1 && log.done_status == VKMOE_OK);
    EXPECT_OK(vkmoe_model_load_cancel(async_model)); /* after the end: no effect */
    EXPECT_OK(vkmoe_model_load_poll(async_model));
    vkmoe_model_destroy(async_model);
    async_model = NULL;
  }
  {
    vkmoe_model_info info = {sizeof(vkmoe_model_info)};
    EXPECT_OK(vkmoe_model_get_info(model, &info));
    EXPECT(info.n_vocab > 0 && info.n_layer > 0 && info.n_expert > 0);
    EXPECT(vkmoe_model_last_error(model) != NULL);
  }

  {
    const char* text = "Hello world";
    uint32_t tokens[64];
    size_t n = 0, length = 0, needed = 0;
    char back[256], piece[64];
    int eog = -1;
    EXPECT(vkmoe_tokenize(model, text, strlen(text), 0, 1, NULL, 0, &needed) == VKMOE_ERROR_BUFFER_TOO_SMALL);
    EXPECT(needed > 0 && needed <= 64);
    EXPECT_OK(vkmoe_tokenize(model, text, strlen(text), 0, 1, tokens, 64, &n));
    EXPECT(n == needed);
    EXPECT_OK(vkmoe_detokenize(model, tokens, n, back, sizeof(back), &length));
    EXPECT(length == strlen(text) && memcmp(back, text, length) == 0);
    EXPECT_OK(vkmoe_token_to_piece(model, tokens[0], piece, sizeof(piece), &length));
    EXPECT(length > 0);
    EXPECT_OK(vkmoe_token_is_end_of_generation(model, tokens[0], &eog));
    EXPECT(eog == 0);
  }
  {
    vkmoe_chat_message messages[2] = {{"system", "Be brief."}, {"user", "Hi"}};
    char rendered[4096];
    size_t length = 0;
    EXPECT_OK(vkmoe_chat_render(model, messages, 2, 1, rendered, sizeof(rendered), &length));
    EXPECT(length > 0 && length < sizeof(rendered));
  }

  {
    vkmoe_session_create_info info = {sizeof(vkmoe_session_create_info)};
    vkmoe_turn_info turn = {sizeof(vkmoe_turn_info)};
    vkmoe_step_result result = {sizeof(vkmoe_step_result)};
    vkmoe_stats stats = {sizeof(vkmoe_stats)};
    vkmoe_sampling bad = vkmoe_sampling_default();
    uint32_t position = 0, max_ctx = 0;
    int seen = 0, steps = 0;
    info.max_ctx = 64;
    EXPECT_OK(vkmoe_session_create(model, &info, &session));
    EXPECT(vkmoe_session_last_error(session) != NULL);

    bad.temperature = -1.0f;
    EXPECT(vkmoe_sampling_validate(&bad, message, sizeof(message)) == VKMOE_ERROR_INVALID_ARGUMENT);
    EXPECT(strstr(message, "temperature") != NULL);
    turn.sampling = vkmoe_sampling_default();
    EXPECT_OK(vkmoe_sampling_validate(&turn.sampling, message, sizeof(message)));

    turn.text = "Hello world";
    turn.text_length = strlen(turn.text);
    turn.max_new_tokens = 3;
    turn.on_token = count_tokens;
    turn.user_data = &seen;
    EXPECT_OK(vkmoe_session_submit(session, &turn));
    do {
      EXPECT_OK(vkmoe_session_step(session, 100000, &result));
      EXPECT(++steps < 50000000); /* a hang guard: WORKING calls return at once */
    } while (result.state != VKMOE_STEP_FINISHED);
    EXPECT(result.finish_reason == VKMOE_FINISH_MAX_TOKENS || result.finish_reason == VKMOE_FINISH_END_OF_GENERATION);
    EXPECT(seen >= 1 && seen <= 3);

    EXPECT_OK(vkmoe_session_get_position(session, &position, &max_ctx));
    EXPECT(position > 0 && max_ctx == 64);
    EXPECT_OK(vkmoe_session_rewind(session, 0));
    EXPECT_OK(vkmoe_session_submit(session, &turn));
    EXPECT_OK(vkmoe_session_cancel(session));
    EXPECT_OK(vkmoe_session_step(session, 1000, &result));
    EXPECT(result.state == VKMOE_STEP_FINISHED && result.finish_reason == VKMOE_FINISH_CANCELLED);
    EXPECT_OK(vkmoe_session_submit(session, &turn));
    EXPECT_OK(vkmoe_session_generate(session, &result));
    EXPECT(result.state == VKMOE_STEP_FINISHED && result.token_count >= 1);

    EXPECT_OK(vkmoe_session_get_stats(session, &stats));
    EXPECT(stats.prompt_tokens > 0 && stats.generated_tokens > 0 && stats.vram_used_bytes > 0);
    {
      uint64_t usage[64];
      size_t usage_length = 0;
      EXPECT(vkmoe_session_get_expert_usage(session, NULL, 0, &usage_length) == VKMOE_ERROR_BUFFER_TOO_SMALL);
      EXPECT(usage_length > 0 && usage_length <= 64);
      EXPECT_OK(vkmoe_session_get_expert_usage(session, usage, 64, &usage_length));
    }
    EXPECT_OK(vkmoe_session_reset_stats(session));
    EXPECT_OK(vkmoe_session_get_stats(session, &stats));
    EXPECT(stats.prompt_tokens == 0);
  }
  {
    vkmoe_context_info info = {sizeof(vkmoe_context_info)};
    EXPECT_OK(vkmoe_context_get_info(context, &info));
    if (info.validation_messages != 0) {
      snprintf(failure, failure_capacity, "validation: %s", info.last_validation_message);
      goto done;
    }
  }
  ok = 1;

done:
  vkmoe_session_destroy(session);
  vkmoe_model_destroy(async_model);
  vkmoe_model_destroy(model);
  vkmoe_context_destroy(context);
  return ok;
}
