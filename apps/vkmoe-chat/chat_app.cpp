#include "apps/vkmoe-chat/chat_app.h"

#include <exception>

namespace vkmoe_chat {

const char* finish_name(vkmoe_finish_reason reason) {
  switch (reason) {
    case VKMOE_FINISH_END_OF_GENERATION: return "end_of_generation";
    case VKMOE_FINISH_STOP_TOKEN: return "stop_token";
    case VKMOE_FINISH_STOP_STRING: return "stop_string";
    case VKMOE_FINISH_MAX_TOKENS: return "max_tokens";
    case VKMOE_FINISH_CONTEXT_FULL: return "context_full";
    case VKMOE_FINISH_CANCELLED: return "stopped";
    case VKMOE_FINISH_ERROR: return "error";
    case VKMOE_FINISH_NONE: break;
  }
  return "";
}

ChatApp::ChatApp(ChatEngine& engine) : engine_(engine) {
  stats_.struct_size = sizeof(stats_);
  guarded("listing chats", [&] { chats = store_.list(); });
}

// Store and file errors become the window's error message; the app keeps running.
template <class F>
void ChatApp::guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    error = std::string(what) + ": " + e.what();
  }
}

void ChatApp::inspect_model() {
  preview = engine_.preview(load_plan());
}

LoadPlan ChatApp::load_plan() const {
  LoadPlan plan{model_path, uint64_t(settings.vram_budget_mib) << 20, uint32_t(settings.context_length)};
  plan.expert_lfu = settings.expert_lfu;
  plan.expert_prefetch = settings.expert_prefetch;
  plan.expert_zero_copy = settings.expert_zero_copy;
  return plan;
}

void ChatApp::load_model() {
  stop();
  generating_ = false;
  guarded("reading model settings", [&] {
    const nlohmann::json saved = store_.model_settings(model_path);
    if (!saved.empty()) settings = settings_from_json(saved);
  });
  inspect_model();
  if (!preview.ok) {
    error = "cannot open " + model_path + ": " + preview.error;
    return;
  }
  if (!engine_.start_load(load_plan())) {
    error = "cannot load " + model_path + ": " + engine_.last_error();
    load_state_ = LoadState::kFailed;
    return;
  }
  load_state_ = LoadState::kLoading;
  error.clear();
}

void ChatApp::cancel_load() { engine_.cancel_load(); }

void ChatApp::send() {
  if (input.empty() || generating_) return;
  if (!engine_.ready()) {
    error = "load a model first";
    return;
  }
  conversation.messages.push_back({"user", input});
  if (conversation.title == "New chat") conversation.title = utf8_prefix(input, 40);
  input.clear();
  begin_reply();
}

void ChatApp::regenerate() {
  if (generating_ || conversation.messages.empty()) return;
  if (conversation.messages.back().role == "assistant") conversation.messages.pop_back();
  if (!conversation.messages.empty()) begin_reply();
}

void ChatApp::edit_and_resend(size_t index, const std::string& text) {
  if (index >= conversation.messages.size() || conversation.messages[index].role != "user") return;
  stop();
  generating_ = false;
  conversation.messages.resize(index + 1);
  conversation.messages[index].content = text;
  begin_reply();
}

void ChatApp::stop() {
  if (generating_) engine_.stop();
}

void ChatApp::begin_reply() {
  const std::string sampling_problem = settings.sampling_problem();
  if (!sampling_problem.empty()) {
    error = "sampling settings: " + sampling_problem;
    return;
  }
  std::vector<ChatTurnMessage> messages;
  if (!conversation.system_prompt.empty()) messages.push_back({"system", conversation.system_prompt});
  for (const Message& m : conversation.messages) messages.push_back({m.role, m.content});
  bool add_special = false;
  const std::optional<std::string> prompt = engine_.render(messages, add_special);
  if (!prompt) {
    error = "chat template: " + engine_.last_error();
    return;
  }
  TurnRequest request{*prompt, add_special, uint32_t(std::max(1, settings.max_tokens)), settings.sampling()};
  if (!engine_.start_turn(request)) {
    error = "cannot start the reply: " + engine_.last_error();
    return;
  }
  Message reply{"assistant", ""};
  reply.prompt = *prompt;
  reply.add_special = add_special;
  reply.max_new_tokens = request.max_new_tokens;
  conversation.messages.push_back(std::move(reply));
  conversation.model = engine_.model_path();
  generating_ = true;
}

void ChatApp::finish_reply(const TurnProgress& p) {
  generating_ = false;
  Message& reply = conversation.messages.back();
  reply.finish = finish_name(p.finish_reason);
  if (!p.error.empty()) error = "generation failed: " + p.error;
  vkmoe_stats s{};
  if (engine_.stats(s)) {
    stats_ = s;
    reply.prompt_tokens_per_second = s.prompt_tokens_per_second;
    reply.generation_tokens_per_second = s.generation_tokens_per_second;
  }
  context_used_ = engine_.position();
  save_chat();
}

void ChatApp::update() {
  if (load_state_ == LoadState::kLoading) {
    load_state_ = engine_.poll_load();
    if (load_state_ == LoadState::kFailed && engine_.last_status() == VKMOE_ERROR_CANCELLED) {
      notice = "loading " + model_path + " was cancelled";
    } else if (load_state_ == LoadState::kFailed) {
      error = "loading " + model_path + " failed: " + engine_.last_error();
    }
    if (load_state_ == LoadState::kReady) {
      notice = "loaded " + model_path;
      guarded("saving the recent models", [&] { store_.remember_model(model_path); });
    }
  }
  if (generating_) {
    const TurnProgress p = engine_.step(uint32_t(std::max(500, settings.frame_budget_us)));
    if (!conversation.messages.empty()) {
      std::string& reply = conversation.messages.back().content;
      if (p.whole_reply) {
        reply = p.text;
      } else {
        reply += p.text;
      }
    }
    if (p.finished) finish_reply(p);
    engine_.expert_usage(expert_usage_);
  }
}

void ChatApp::new_chat() {
  stop();
  generating_ = false;
  expert_usage_.clear();
  const std::string system_prompt = conversation.system_prompt;
  conversation = Conversation{};
  conversation.system_prompt = system_prompt;
}

void ChatApp::open_chat(const std::string& id) {
  if (generating_) return;
  guarded("opening the chat", [&] { conversation = store_.load(id); });
  expert_usage_.clear();
}

void ChatApp::rename_chat(const std::string& title) {
  conversation.title = title;
  save_chat();
}

void ChatApp::delete_chat(const std::string& id) {
  store_.remove(id);
  if (conversation.id == id) new_chat();
  guarded("listing chats", [&] { chats = store_.list(); });
}

void ChatApp::save_chat() {
  if (conversation.messages.empty()) return;
  guarded("saving the chat", [&] {
    store_.save(conversation);
    chats = store_.list();
  });
}

void ChatApp::export_markdown(const std::string& path) {
  guarded("exporting Markdown", [&] {
    write_file_atomically(path, to_markdown(conversation));
    notice = "exported " + path;
  });
}

void ChatApp::save_settings() {
  if (engine_.model_path().empty()) return;
  guarded("saving settings", [&] { store_.save_model_settings(engine_.model_path(), to_json(settings)); });
}

}  // namespace vkmoe_chat
