#include "apps/vkmoe-chat/chat_engine.h"

#include <filesystem>

namespace vkmoe_chat {

namespace {

// Prompt tokens per model step: small, so a prompt layer fits a frame's GPU budget.
constexpr uint32_t kPromptTokensPerStep = 32;

vkmoe_model_load_info load_info(const LoadPlan& plan) {
  vkmoe_model_load_info info{};
  info.struct_size = sizeof(info);
  info.path = plan.path.c_str();
  info.vram_budget_bytes = plan.vram_budget_bytes;
  info.max_ctx = plan.max_ctx;
  info.max_tokens = kPromptTokensPerStep;
  info.expert_policy = plan.expert_lfu ? "lfu" : "lru";
  info.disable_prefetch = plan.expert_prefetch ? 0 : 1;
  info.disable_zero_copy = plan.expert_zero_copy ? 0 : 1;
  return info;
}

}  // namespace

ChatEngine::~ChatEngine() {
  unload();
  vkmoe_context_destroy(context_);
}

std::string ChatEngine::fail(vkmoe_status status, const char* message) {
  status_ = status;
  error_ = std::string(vkmoe_status_name(status)) + ": " + (message != nullptr ? message : "");
  return error_;
}

bool ChatEngine::attach(const vkmoe_external_device& device) {
  vkmoe_context_create_info info{};
  info.struct_size = sizeof(info);
  info.external_device = &device;
  char message[1024] = "";
  info.error_message = message;
  info.error_message_capacity = sizeof(message);
  const vkmoe_status s = vkmoe_context_create(&info, &context_);
  if (s != VKMOE_OK) {
    fail(s, message);
    context_ = nullptr;
    return false;
  }
  return true;
}

vkmoe_context_info ChatEngine::context_info() const {
  vkmoe_context_info info{};
  info.struct_size = sizeof(info);
  if (context_ != nullptr) vkmoe_context_get_info(context_, &info);
  return info;
}

ModelPreview ChatEngine::preview(const LoadPlan& plan) {
  ModelPreview p;
  std::error_code ec;
  const std::filesystem::path path(plan.path);
  if (!std::filesystem::exists(path, ec)) {
    p.error = "no such file or folder: " + plan.path;
    return p;
  }
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file(ec)) p.file_bytes += entry.file_size(ec);
    }
  } else {
    p.file_bytes = std::filesystem::file_size(path, ec);
  }
  if (context_ == nullptr) {
    p.error = "vkmoe has no device: " + error_;
    return p;
  }
  const vkmoe_model_load_info info = load_info(plan);
  p.memory.struct_size = sizeof(p.memory);
  const vkmoe_status s = vkmoe_model_query_memory(context_, &info, &p.memory);
  if (s != VKMOE_OK) {
    p.error = std::string(vkmoe_status_name(s)) + ": " + vkmoe_context_last_error(context_);
    return p;
  }
  p.ok = true;
  return p;
}

bool ChatEngine::start_load(const LoadPlan& plan) {
  unload();
  if (context_ == nullptr) return false;
  loading_ = plan;
  const vkmoe_model_load_info info = load_info(loading_);  // the path stays valid in loading_
  const vkmoe_status s = vkmoe_model_load_async(context_, &info, &model_);
  if (s != VKMOE_OK) {
    fail(s, vkmoe_context_last_error(context_));
    model_ = nullptr;
    return false;
  }
  return true;
}

void ChatEngine::cancel_load() {
  if (model_ != nullptr && session_ == nullptr) vkmoe_model_load_cancel(model_);
}

LoadState ChatEngine::poll_load() {
  if (model_ == nullptr) return LoadState::kNone;
  if (session_ != nullptr) return LoadState::kReady;
  const vkmoe_status s = vkmoe_model_load_poll(model_);
  if (s == VKMOE_NOT_READY) return LoadState::kLoading;
  if (s != VKMOE_OK) {
    fail(s, vkmoe_model_last_error(model_));
    vkmoe_model_destroy(model_);
    model_ = nullptr;
    return LoadState::kFailed;
  }
  model_info_ = vkmoe_model_info{};
  model_info_.struct_size = sizeof(model_info_);
  vkmoe_session_create_info info{};
  info.struct_size = sizeof(info);
  info.max_ctx = loading_.max_ctx;
  info.max_tokens = kPromptTokensPerStep;
  vkmoe_status r = vkmoe_model_get_info(model_, &model_info_);
  if (r == VKMOE_OK) r = vkmoe_session_create(model_, &info, &session_);
  if (r != VKMOE_OK) {
    fail(r, vkmoe_model_last_error(model_));
    session_ = nullptr;
    vkmoe_model_destroy(model_);
    model_ = nullptr;
    return LoadState::kFailed;
  }
  loaded_path_ = loading_.path;
  return LoadState::kReady;
}

float ChatEngine::load_progress() const {
  float f = 0;
  if (model_ != nullptr) vkmoe_model_load_progress(model_, &f);
  return f;
}

void ChatEngine::unload() {
  stop();
  join_worker();
  vkmoe_session_destroy(session_);
  session_ = nullptr;
  vkmoe_model_destroy(model_);
  model_ = nullptr;
  loaded_path_.clear();
  turn_running_ = false;
}

std::optional<std::string> ChatEngine::render(const std::vector<ChatTurnMessage>& messages, bool& add_special) {
  if (model_ == nullptr || session_ == nullptr) return std::nullopt;
  if (!model_info_.has_chat_template) {
    std::string text;
    for (const ChatTurnMessage& m : messages) text += m.role + ": " + m.content + "\n";
    text += "assistant:";
    add_special = true;
    return text;
  }
  std::vector<vkmoe_chat_message> c;
  for (const ChatTurnMessage& m : messages) c.push_back({m.role.c_str(), m.content.c_str()});
  size_t n = 0;
  vkmoe_status s = vkmoe_chat_render(model_, c.data(), c.size(), 1, nullptr, 0, &n);
  std::string text(n, '\0');
  if (s == VKMOE_ERROR_BUFFER_TOO_SMALL) s = vkmoe_chat_render(model_, c.data(), c.size(), 1, text.data(), text.size(), &n);
  if (s != VKMOE_OK) {
    fail(s, vkmoe_model_last_error(model_));
    return std::nullopt;
  }
  add_special = false;  // the template writes the special tokens itself
  return text;
}

bool ChatEngine::start_turn(const TurnRequest& request) {
  if (session_ == nullptr) {
    error_ = "no model is loaded";
    return false;
  }
  stop();
  join_worker();
  // Statistics count from their reset: per turn, so tokens/s describe this reply.
  vkmoe_status s = vkmoe_session_rewind(session_, 0);
  if (s == VKMOE_OK) s = vkmoe_session_reset_stats(session_);
  turn_prompt_ = request.prompt;
  vkmoe_turn_info turn{};
  turn.struct_size = sizeof(turn);
  turn.text = turn_prompt_.c_str();
  turn.text_length = turn_prompt_.size();
  turn.add_special = request.add_special ? 1 : 0;
  turn.max_new_tokens = request.max_new_tokens;
  turn.sampling = request.sampling;
  if (model_info_.experts_stream) {
    turn.on_token = [](void* user, uint32_t, const char* piece, size_t length) {
      auto* self = static_cast<ChatEngine*>(user);
      std::lock_guard lock(self->worker_mutex_);
      self->worker_text_.append(piece, length);
      return 0;
    };
    turn.user_data = this;
  }
  if (s == VKMOE_OK) s = vkmoe_session_submit(session_, &turn);
  if (s != VKMOE_OK) {
    fail(s, vkmoe_session_last_error(session_));
    return false;
  }
  turn_running_ = true;
  if (model_info_.experts_stream) {
    worker_done_ = false;
    worker_text_.clear();
    worker_ = std::thread([this] {
      vkmoe_step_result r{};
      r.struct_size = sizeof(r);
      const vkmoe_status status = vkmoe_session_generate(session_, &r);
      std::lock_guard lock(worker_mutex_);
      worker_status_ = status;
      worker_finish_ = r.finish_reason;
      worker_reply_.assign(r.text != nullptr ? r.text : "", r.text_length);
      if (status != VKMOE_OK) worker_error_ = vkmoe_session_last_error(session_);
      worker_done_ = true;
    });
  }
  return true;
}

TurnProgress ChatEngine::step_on_worker() {
  TurnProgress p;
  std::lock_guard lock(worker_mutex_);
  p.text = std::move(worker_text_);
  worker_text_.clear();
  if (worker_done_) {
    // The callback's pieces hold back the bytes of a split character; the result has them all.
    if (worker_status_ == VKMOE_OK) {
      p.text = worker_reply_;
      p.whole_reply = true;
    }
    p.finished = true;
    p.finish_reason = worker_finish_;
    if (worker_status_ != VKMOE_OK) p.error = std::string(vkmoe_status_name(worker_status_)) + ": " + worker_error_;
  }
  return p;
}

TurnProgress ChatEngine::step(uint32_t budget_us) {
  TurnProgress p;
  if (!turn_running_) return p;
  if (model_info_.experts_stream) {
    p = step_on_worker();
  } else {
    vkmoe_step_result r{};
    r.struct_size = sizeof(r);
    const vkmoe_status s = vkmoe_session_step(session_, budget_us, &r);
    if (s != VKMOE_OK || r.state == VKMOE_STEP_ERROR) {
      p.finished = true;
      p.finish_reason = VKMOE_FINISH_ERROR;
      p.error = fail(s != VKMOE_OK ? s : VKMOE_ERROR_INTERNAL, vkmoe_session_last_error(session_));
    } else {
      p.text.assign(r.text != nullptr ? r.text : "", r.text_length);
      p.finished = r.state == VKMOE_STEP_FINISHED;
      p.finish_reason = r.finish_reason;
    }
  }
  if (p.finished) {
    turn_running_ = false;
    join_worker();
  }
  return p;
}

void ChatEngine::stop() {
  if (session_ != nullptr && turn_running_) vkmoe_session_cancel(session_);
}

void ChatEngine::join_worker() {
  if (worker_.joinable()) worker_.join();
}

bool ChatEngine::stats(vkmoe_stats& out) const {
  out = vkmoe_stats{};
  out.struct_size = sizeof(out);
  // A worker-thread turn owns the session until it ends.
  if (session_ == nullptr || (model_info_.experts_stream && turn_running_)) return false;
  return vkmoe_session_get_stats(session_, &out) == VKMOE_OK;
}

bool ChatEngine::expert_usage(std::vector<uint64_t>& out) const {
  if (session_ == nullptr || (model_info_.experts_stream && turn_running_)) return false;
  size_t n = 0;
  vkmoe_status s = vkmoe_session_get_expert_usage(session_, nullptr, 0, &n);
  out.resize(n);
  if (s == VKMOE_ERROR_BUFFER_TOO_SMALL) s = vkmoe_session_get_expert_usage(session_, out.data(), out.size(), &n);
  return s == VKMOE_OK;
}

uint32_t ChatEngine::position() const {
  uint32_t p = 0;
  if (session_ != nullptr && !(model_info_.experts_stream && turn_running_)) vkmoe_session_get_position(session_, &p, nullptr);
  return p;
}

uint32_t ChatEngine::max_ctx() const {
  uint32_t p = 0, m = 0;
  if (session_ != nullptr && !(model_info_.experts_stream && turn_running_)) vkmoe_session_get_position(session_, &p, &m);
  return m;
}

}  // namespace vkmoe_chat
