// vkmoe.hpp: a thin header-only C++ wrapper over vkmoe.h. RAII handles (move-only), and
// failures as vkmoe::api_error carrying the status and the handle's message. Builds that
// turn exceptions off can use vkmoe.h directly; this header needs them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vkmoe/vkmoe.h"

namespace vkmoe {

class api_error : public std::runtime_error {
 public:
  api_error(vkmoe_status status, const std::string& message)
      : std::runtime_error(std::string(vkmoe_status_name(status)) + ": " + message), status_(status) {}
  vkmoe_status status() const { return status_; }

 private:
  vkmoe_status status_;
};

namespace detail {

template <class Handle, void (*Destroy)(Handle)>
class unique_handle {
 public:
  unique_handle() = default;
  explicit unique_handle(Handle h) : h_(h) {}
  ~unique_handle() { reset(); }
  unique_handle(unique_handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  unique_handle& operator=(unique_handle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  Handle get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void reset() {
    if (h_ != nullptr) Destroy(std::exchange(h_, nullptr));
  }

 private:
  Handle h_ = nullptr;
};

inline void check(vkmoe_status s, const char* message) {
  if (s < 0) throw api_error(s, message != nullptr ? message : "");
}

}  // namespace detail

template <class T>
T make_info() {
  T info{};
  info.struct_size = sizeof(T);
  return info;
}

class context {
 public:
  // vkmoe's own device; `device_selector` as VKMOE_DEVICE.
  explicit context(const std::string& device_selector = "", bool validation = false) {
    auto info = make_info<vkmoe_context_create_info>();
    info.device_selector = device_selector.c_str();
    info.enable_validation = validation ? 1 : 0;
    create(info);
  }
  // The host's device.
  explicit context(const vkmoe_external_device& device) {
    auto info = make_info<vkmoe_context_create_info>();
    info.external_device = &device;
    create(info);
  }
  vkmoe_context get() const { return h_.get(); }
  vkmoe_context_info info() const {
    auto out = make_info<vkmoe_context_info>();
    detail::check(vkmoe_context_get_info(get(), &out), vkmoe_context_last_error(get()));
    return out;
  }

 private:
  void create(vkmoe_context_create_info& info) {
    char message[1024] = {};
    info.error_message = message;
    info.error_message_capacity = sizeof(message);
    vkmoe_context c = nullptr;
    detail::check(vkmoe_context_create(&info, &c), message);
    h_ = decltype(h_)(c);
  }
  detail::unique_handle<vkmoe_context, vkmoe_context_destroy> h_;
};

class model {
 public:
  // Blocking load; `info.path` must be set.
  model(const context& ctx, const vkmoe_model_load_info& info) {
    vkmoe_model m = nullptr;
    detail::check(vkmoe_model_load(ctx.get(), &info, &m), vkmoe_context_last_error(ctx.get()));
    h_ = decltype(h_)(m);
  }
  // Starts a background load; poll ready() or call wait().
  static model load_async(const context& ctx, const vkmoe_model_load_info& info) {
    vkmoe_model m = nullptr;
    detail::check(vkmoe_model_load_async(ctx.get(), &info, &m), vkmoe_context_last_error(ctx.get()));
    return model(m);
  }
  bool ready() const {
    const vkmoe_status s = vkmoe_model_load_poll(get());
    detail::check(s, vkmoe_model_last_error(get()));
    return s == VKMOE_OK;
  }
  void wait() const { detail::check(vkmoe_model_load_wait(get()), vkmoe_model_last_error(get())); }
  float progress() const {
    float f = 0;
    detail::check(vkmoe_model_load_progress(get(), &f), vkmoe_model_last_error(get()));
    return f;
  }
  void cancel() const { vkmoe_model_load_cancel(get()); }
  vkmoe_model_info info() const {
    auto out = make_info<vkmoe_model_info>();
    detail::check(vkmoe_model_get_info(get(), &out), vkmoe_model_last_error(get()));
    return out;
  }
  std::vector<uint32_t> tokenize(std::string_view text, bool add_special = true, bool parse_special = true) const {
    size_t n = 0;
    vkmoe_status s = vkmoe_tokenize(get(), text.data(), text.size(), add_special, parse_special, nullptr, 0, &n);
    if (s != VKMOE_ERROR_BUFFER_TOO_SMALL) detail::check(s, vkmoe_model_last_error(get()));
    std::vector<uint32_t> out(n);
    detail::check(vkmoe_tokenize(get(), text.data(), text.size(), add_special, parse_special, out.data(), out.size(), &n),
                  vkmoe_model_last_error(get()));
    return out;
  }
  std::string detokenize(const std::vector<uint32_t>& tokens) const {
    size_t n = 0;
    vkmoe_status s = vkmoe_detokenize(get(), tokens.data(), tokens.size(), nullptr, 0, &n);
    if (s != VKMOE_ERROR_BUFFER_TOO_SMALL) detail::check(s, vkmoe_model_last_error(get()));
    std::string out(n, '\0');
    detail::check(vkmoe_detokenize(get(), tokens.data(), tokens.size(), out.data(), out.size(), &n), vkmoe_model_last_error(get()));
    return out;
  }
  std::string chat_render(const std::vector<vkmoe_chat_message>& messages, bool add_generation_prompt = true) const {
    size_t n = 0;
    vkmoe_status s = vkmoe_chat_render(get(), messages.data(), messages.size(), add_generation_prompt, nullptr, 0, &n);
    if (s != VKMOE_ERROR_BUFFER_TOO_SMALL) detail::check(s, vkmoe_model_last_error(get()));
    std::string out(n, '\0');
    detail::check(vkmoe_chat_render(get(), messages.data(), messages.size(), add_generation_prompt, out.data(), out.size(), &n),
                  vkmoe_model_last_error(get()));
    return out;
  }
  vkmoe_model get() const { return h_.get(); }

 private:
  explicit model(vkmoe_model m) : h_(m) {}
  detail::unique_handle<vkmoe_model, vkmoe_model_destroy> h_;
};

class session {
 public:
  explicit session(const model& m, uint32_t max_ctx = 0, uint32_t max_tokens = 0) {
    auto info = make_info<vkmoe_session_create_info>();
    info.max_ctx = max_ctx;
    info.max_tokens = max_tokens;
    vkmoe_session s = nullptr;
    detail::check(vkmoe_session_create(m.get(), &info, &s), vkmoe_model_last_error(m.get()));
    h_ = decltype(h_)(s);
  }
  void submit(const vkmoe_turn_info& turn) { check(vkmoe_session_submit(get(), &turn)); }
  // One frame's share; the result's pointers stay valid until the next call on the session.
  vkmoe_step_result step(uint32_t budget_us) {
    auto r = make_info<vkmoe_step_result>();
    check(vkmoe_session_step(get(), budget_us, &r));
    return r;
  }
  vkmoe_step_result generate() {
    auto r = make_info<vkmoe_step_result>();
    check(vkmoe_session_generate(get(), &r));
    return r;
  }
  void cancel() { vkmoe_session_cancel(get()); }
  void rewind(uint32_t position) { check(vkmoe_session_rewind(get(), position)); }
  uint32_t position() const {
    uint32_t p = 0;
    check(vkmoe_session_get_position(get(), &p, nullptr));
    return p;
  }
  vkmoe_stats stats() const {
    auto out = make_info<vkmoe_stats>();
    check(vkmoe_session_get_stats(get(), &out));
    return out;
  }
  // (n_layer x n_expert): tokens each routed expert served since creation or reset.
  std::vector<uint64_t> expert_usage() const {
    size_t n = 0;
    const vkmoe_status s = vkmoe_session_get_expert_usage(get(), nullptr, 0, &n);
    if (s != VKMOE_ERROR_BUFFER_TOO_SMALL) check(s);
    std::vector<uint64_t> out(n);
    check(vkmoe_session_get_expert_usage(get(), out.data(), out.size(), &n));
    return out;
  }
  vkmoe_session get() const { return h_.get(); }

 private:
  void check(vkmoe_status s) const { detail::check(s, vkmoe_session_last_error(get())); }
  detail::unique_handle<vkmoe_session, vkmoe_session_destroy> h_;
};

}  // namespace vkmoe
