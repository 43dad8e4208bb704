#include "apps/vkmoe-chat/ui_script.h"

#include <fstream>
#include <set>
#include <stdexcept>

#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_ui.h"

namespace vkmoe_chat {

namespace {

constexpr double kWaitTimeoutSeconds = 300;

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

const std::set<std::string> kVerbs = {"open", "open-bad", "expect-error", "dismiss", "system", "type", "send", "regenerate",
                                      "stop", "wait", "wait-tokens", "edit", "set", "save", "new", "rename", "export",
                                      "screenshot", "frames", "expect-messages", "expect-streaming",
                                      "expect-expert-usage", "delete", "expect-chats"};

int parse_int(const std::string& text) {
  size_t used = 0;
  const int v = std::stoi(text, &used);
  if (used != text.size()) throw std::invalid_argument(text);
  return v;
}

}  // namespace

UiScript::UiScript(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the script " + path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    Action a{n, line.substr(0, space), space == std::string::npos ? "" : unescape(line.substr(space + 1))};
    if (kVerbs.count(a.verb) == 0) throw std::runtime_error(path + ":" + std::to_string(n) + ": unknown action '" + a.verb + "'");
    actions_.push_back(std::move(a));
  }
}

UiScript::State UiScript::fail(const Action& a, const std::string& why) {
  failure_ = "script line " + std::to_string(a.line) + " (" + a.verb + "): " + why;
  return State::kFailed;
}

UiScript::State UiScript::advance(ChatApp& app, UiState& ui) {
  while (next_ < actions_.size()) {
    const Action& a = actions_[next_];
    // Actions that look at or past an error banner may run while it shows; any other fails then.
    const bool expects_error = a.verb == "open-bad" || a.verb == "expect-error" || a.verb == "dismiss" ||
                               a.verb == "frames" || a.verb == "screenshot";
    if (!expects_error && !app.error.empty()) return fail(a, "the window shows an error: " + app.error);
    if (started_ && std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count() > kWaitTimeoutSeconds) {
      return fail(a, "timed out");
    }
    bool done = false;
    try {
      done = run(a, app, ui);
    } catch (const std::exception& e) {
      return fail(a, e.what());
    }
    if (!failure_.empty()) return State::kFailed;
    if (!done) return State::kRunning;
    started_ = false;
    ++next_;
  }
  return State::kPassed;
}

bool UiScript::run(const Action& a, ChatApp& app, UiState& ui) {
  auto begin_once = [&]() {
    if (started_) return false;
    started_ = true;
    started_at_ = std::chrono::steady_clock::now();
    return true;
  };
  const std::string& v = a.verb;
  if (v == "open" || v == "open-bad") {
    if (begin_once()) {
      app.model_path = a.arg;
      app.load_model();
    }
    if (app.load_state() == LoadState::kLoading) return false;
    if (v == "open" && !app.engine().ready()) fail(a, "the model did not load: " + app.error);
    if (v == "open-bad" && app.error.empty()) fail(a, "loading '" + a.arg + "' showed no error");
    return true;
  }
  if (v == "expect-error") {
    if (app.error.find(a.arg) == std::string::npos) fail(a, "the error banner says '" + app.error + "', not '" + a.arg + "'");
    return true;
  }
  if (v == "dismiss") {
    app.error.clear();
    return true;
  }
  if (v == "system") {
    app.conversation.system_prompt = a.arg;
    return true;
  }
  if (v == "type") {
    app.input = a.arg;
    return true;
  }
  if (v == "send" || v == "regenerate") {
    const size_t before = app.conversation.messages.size();
    v == "send" ? app.send() : app.regenerate();
    if (!app.generating()) fail(a, "no reply started (" + std::to_string(before) + " messages before)");
    return true;
  }
  if (v == "stop") {
    if (!app.generating()) fail(a, "nothing is being generated");
    app.stop();
    return true;
  }
  if (v == "wait") {
    begin_once();
    return !app.generating();
  }
  if (v == "wait-tokens") {
    begin_once();
    if (!app.generating()) {
      fail(a, "the reply ended before it reached " + a.arg + " characters");
      return true;
    }
    return app.conversation.messages.back().content.size() >= size_t(parse_int(a.arg));
  }
  if (v == "edit") {
    const size_t space = a.arg.find(' ');
    const int index = parse_int(a.arg.substr(0, space));
    if (index < 0 || size_t(index) >= app.conversation.messages.size() || app.conversation.messages[index].role != "user") {
      fail(a, "message " + std::to_string(index) + " is not a user message");
      return true;
    }
    // What the Resend button under an edited message does.
    ui.editing = -1;
    app.edit_and_resend(size_t(index), space == std::string::npos ? "" : a.arg.substr(space + 1));
    if (!app.generating()) fail(a, "no reply started");
    return true;
  }
  if (v == "set") {
    const size_t space = a.arg.find(' ');
    const std::string name = a.arg.substr(0, space), value = space == std::string::npos ? "" : a.arg.substr(space + 1);
    ChatSettings& s = app.settings;
    if (name == "temperature") s.temperature = std::stof(value);
    else if (name == "top_k") s.top_k = parse_int(value);
    else if (name == "top_p") s.top_p = std::stof(value);
    else if (name == "min_p") s.min_p = std::stof(value);
    else if (name == "repetition_penalty") s.repetition_penalty = std::stof(value);
    else if (name == "seed") s.seed = parse_int(value);
    else if (name == "max_tokens") s.max_tokens = parse_int(value);
    else if (name == "vram_budget_mib") s.vram_budget_mib = parse_int(value);
    else if (name == "expert_lfu") s.expert_lfu = parse_int(value) != 0;
    else if (name == "expert_prefetch") s.expert_prefetch = parse_int(value) != 0;
    else if (name == "expert_zero_copy") s.expert_zero_copy = parse_int(value) != 0;
    else fail(a, "no setting named '" + name + "'");
    app.save_settings();
    return true;
  }
  if (v == "save") {
    app.save_chat();
    if (app.conversation.id.empty()) fail(a, "the chat was not saved");
    return true;
  }
  if (v == "new") {
    app.new_chat();
    return true;
  }
  if (v == "delete") {
    if (app.conversation.id.empty()) fail(a, "the chat is not saved, so there is nothing to delete");
    app.delete_chat(app.conversation.id);
    return true;
  }
  if (v == "expect-chats") {
    const int n = parse_int(a.arg);
    if (app.chats.size() != size_t(n)) fail(a, "the sidebar lists " + std::to_string(app.chats.size()) + " chats");
    return true;
  }
  if (v == "rename") {
    app.rename_chat(a.arg);
    return true;
  }
  if (v == "export") {
    app.export_markdown(a.arg);
    return true;
  }
  if (v == "screenshot") {
    if (begin_once()) {
      screenshot_path = a.arg;
      return false;
    }
    return screenshot_path.empty();  // the frame loop wrote it
  }
  if (v == "frames") {
    if (begin_once()) frames_left_ = parse_int(a.arg);
    return frames_left_-- <= 0;
  }
  if (v == "expect-expert-usage") {
    const std::vector<uint64_t>& usage = app.expert_usage();
    const vkmoe_model_info& info = app.engine().model_info();
    uint64_t total = 0;
    for (uint64_t c : usage) total += c;
    if (usage.size() != size_t(info.n_layer) * info.n_expert || total == 0) fail(a, "the heat map has no expert usage");
    return true;
  }
  if (v == "expect-streaming") {
    if (!app.engine().ready() || !app.engine().model_info().experts_stream) fail(a, "the model's experts do not stream");
    return true;
  }
  if (v == "expect-messages") {
    const int n = parse_int(a.arg);
    if (app.conversation.messages.size() != size_t(n)) {
      fail(a, "the conversation holds " + std::to_string(app.conversation.messages.size()) + " messages");
    }
    return true;
  }
  fail(a, "unknown action");
  return true;
}

}  // namespace vkmoe_chat
