// The C API's text side: tokenizer and chat template of a loaded model. Sized outputs report
// the length they need, so a first call with no buffer asks for it.
#include <cstring>

#include "engine/api/handles.h"
#include "loader/chat/chat_template.h"

using namespace vkmoe;
using namespace vkmoe::api;

namespace {

template <class T>
vkmoe_status write_sized(const T* data, size_t count, T* out, size_t capacity, size_t* out_length) {
  require(out_length != nullptr, "out_length is NULL");
  *out_length = count;
  if (count > capacity || (count > 0 && out == nullptr)) {
    throw ApiError(VKMOE_ERROR_BUFFER_TOO_SMALL, "the output needs " + std::to_string(count) + " elements; capacity is " +
                                                     std::to_string(capacity));
  }
  if (count > 0) std::memcpy(out, data, count * sizeof(T));
  return VKMOE_OK;
}

std::optional<std::string> token_text(const Tokenizer& tokenizer, uint32_t id) {
  if (id == UINT32_MAX || id >= tokenizer.n_tokens()) return std::nullopt;
  return tokenizer.vocab().tokens[id];
}

}  // namespace

extern "C" {

vkmoe_status vkmoe_tokenize(vkmoe_model model, const char* text, size_t text_length, int add_special, int parse_special,
                            uint32_t* tokens, size_t capacity, size_t* out_length) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    require(text != nullptr || text_length == 0, "vkmoe_tokenize: text is NULL");
    const std::string_view input(text != nullptr ? text : "", text_length);
    const std::vector<uint32_t> ids = model->load.tokenizer().encode(input, add_special != 0, parse_special != 0);
    return write_sized(ids.data(), ids.size(), tokens, capacity, out_length);
  });
}

vkmoe_status vkmoe_detokenize(vkmoe_model model, const uint32_t* tokens, size_t count, char* text, size_t capacity,
                              size_t* out_length) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    require(tokens != nullptr || count == 0, "vkmoe_detokenize: tokens is NULL");
    const std::string s = model->load.tokenizer().decode(std::span(tokens, count));
    return write_sized(s.data(), s.size(), text, capacity, out_length);
  });
}

vkmoe_status vkmoe_token_to_piece(vkmoe_model model, uint32_t token, char* text, size_t capacity, size_t* out_length) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    const std::string s = model->load.tokenizer().token_to_piece(token);
    return write_sized(s.data(), s.size(), text, capacity, out_length);
  });
}

vkmoe_status vkmoe_token_is_end_of_generation(vkmoe_model model, uint32_t token, int* out_is_eog) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    require(out_is_eog != nullptr, "vkmoe_token_is_end_of_generation: out_is_eog is NULL");
    *out_is_eog = model->load.tokenizer().is_eog(token) ? 1 : 0;
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_chat_render(vkmoe_model model, const vkmoe_chat_message* messages, size_t count, int add_generation_prompt,
                               char* text, size_t capacity, size_t* out_length) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    require(messages != nullptr || count == 0, "vkmoe_chat_render: messages is NULL");
    const Model& m = model->load.model();
    if (m.spec().chat_template.empty()) throw Error(ErrorCode::kNotFound, m.spec().path + " has no chat template");
    const Tokenizer& tokenizer = model->load.tokenizer();
    ChatRequest request;
    request.add_generation_prompt = add_generation_prompt != 0;
    request.bos_token = token_text(tokenizer, m.spec().vocab.bos);
    request.eos_token = token_text(tokenizer, m.spec().vocab.eos);
    for (size_t i = 0; i < count; ++i) {
      require(messages[i].role != nullptr && messages[i].content != nullptr, "vkmoe_chat_render: a message's role or content is NULL");
      request.messages.push_back({{"role", messages[i].role}, {"content", messages[i].content}});
    }
    const std::string s = render_chat_template(m.spec().chat_template, request);
    return write_sized(s.data(), s.size(), text, capacity, out_length);
  });
}

}  // extern "C"
