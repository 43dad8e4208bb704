/* The smallest C program on vkmoe's C API: load a model, stream its reply to a prompt (through
 * the model's chat template when it has one).
 *   vkmoe-generate MODEL "PROMPT" [MAX_TOKENS]
 * Build against it: include vkmoe/vkmoe.h, link libvkmoe_engine (and the C++ runtime). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vkmoe/vkmoe.h"

static int print_piece(void* user_data, uint32_t token, const char* piece, size_t length) {
  (void)user_data;
  (void)token;
  fwrite(piece, 1, length, stdout);
  fflush(stdout);
  return 0; /* keep going */
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s MODEL PROMPT [MAX_TOKENS]\n", argv[0]);
    return 2;
  }
  char message[1024] = "";
  vkmoe_context_create_info context_info = {sizeof(vkmoe_context_create_info)};
  context_info.error_message = message;
  context_info.error_message_capacity = sizeof(message);
  vkmoe_context context = NULL;
  if (vkmoe_context_create(&context_info, &context) != VKMOE_OK) {
    fprintf(stderr, "vkmoe: %s\n", message);
    return 1;
  }

  vkmoe_model_load_info load_info = {sizeof(vkmoe_model_load_info)};
  load_info.path = argv[1];
  vkmoe_model model = NULL;
  if (vkmoe_model_load(context, &load_info, &model) != VKMOE_OK) {
    fprintf(stderr, "vkmoe: %s\n", vkmoe_context_last_error(context));
    vkmoe_context_destroy(context);
    return 1;
  }

  vkmoe_session_create_info session_info = {sizeof(vkmoe_session_create_info)};
  vkmoe_session session = NULL;
  vkmoe_status status = vkmoe_session_create(model, &session_info, &session);
  if (status == VKMOE_OK) {
    /* A chat model gets the prompt as a user message through its own template. */
    vkmoe_model_info info = {sizeof(vkmoe_model_info)};
    vkmoe_chat_message message = {"user", argv[2]};
    static char rendered[65536];
    size_t rendered_length = 0;
    vkmoe_turn_info turn = {sizeof(vkmoe_turn_info)};
    turn.text = argv[2];
    turn.text_length = strlen(argv[2]);
    turn.add_special = 1;
    if (vkmoe_model_get_info(model, &info) == VKMOE_OK && info.has_chat_template &&
        vkmoe_chat_render(model, &message, 1, 1, rendered, sizeof(rendered), &rendered_length) == VKMOE_OK) {
      turn.text = rendered;
      turn.text_length = rendered_length;
      turn.add_special = 0; /* the template writes the special tokens itself */
    }
    turn.max_new_tokens = argc > 3 ? (uint32_t)atoi(argv[3]) : 64;
    turn.sampling = vkmoe_sampling_default();
    turn.on_token = print_piece;
    status = vkmoe_session_submit(session, &turn);
    vkmoe_step_result result = {sizeof(vkmoe_step_result)};
    if (status == VKMOE_OK) status = vkmoe_session_generate(session, &result);
    printf("\n");
    if (status != VKMOE_OK) fprintf(stderr, "vkmoe: %s\n", vkmoe_session_last_error(session));
  } else {
    fprintf(stderr, "vkmoe: %s\n", vkmoe_model_last_error(model));
  }

  vkmoe_session_destroy(session);
  vkmoe_model_destroy(model);
  vkmoe_context_destroy(context);
  return status == VKMOE_OK ? 0 : 1;
}
