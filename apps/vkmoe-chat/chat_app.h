#pragma once
// The app's state and every action a user can take. The UI's buttons and the --script runner
// call the same methods, so a script exercises the code paths a mouse does. update() runs
// once a frame: it polls the background load and advances the reply by one frame's share.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "apps/vkmoe-chat/chat_engine.h"
#include "apps/vkmoe-chat/chat_settings.h"
#include "apps/vkmoe-chat/chat_store.h"
#include "apps/vkmoe-chat/conversation.h"

namespace vkmoe_chat {

class ChatApp {
 public:
  explicit ChatApp(ChatEngine& engine);

  // Model.
  std::string model_path;
  ModelPreview preview;
  void inspect_model();  // fills `preview` for model_path and the budget
  void load_model();
  void cancel_load();
  LoadState load_state() const { return load_state_; }

  // Chat.
  std::string input;
  void send();        // input becomes a user message; the reply starts
  void regenerate();  // replaces the last reply
  // Gives user message `index` new text, drops what followed and replies again.
  void edit_and_resend(size_t index, const std::string& text);
  void stop();
  bool generating() const { return generating_; }

  // Conversations.
  Conversation conversation;
  std::vector<ChatEntry> chats;
  void new_chat();
  void open_chat(const std::string& id);
  void rename_chat(const std::string& title);
  void delete_chat(const std::string& id);
  void save_chat();
  void export_markdown(const std::string& path);

  ChatSettings settings;
  void save_settings();  // for the loaded model
  LoadPlan load_plan() const;  // model_path with the settings

  // The newest problem, shown in the window until dismissed.
  std::string error;
  std::string notice;

  void update();
  ChatEngine& engine() { return engine_; }
  ChatStore& store() { return store_; }
  // Statistics of the last finished reply's session (tokens/s, experts).
  const vkmoe_stats& stats() const { return stats_; }
  uint32_t context_used() const { return context_used_; }
  // (n_layer, n_expert): tokens each expert served for this conversation (its latest turn
  // feeds the whole conversation), refreshed every frame while a reply is stepped.
  const std::vector<uint64_t>& expert_usage() const { return expert_usage_; }

 private:
  void begin_reply();
  void finish_reply(const TurnProgress& p);
  template <class F>
  void guarded(const char* what, F&& f);

  ChatEngine& engine_;
  ChatStore store_;
  LoadState load_state_ = LoadState::kNone;
  bool generating_ = false;
  vkmoe_stats stats_{};
  uint32_t context_used_ = 0;
  std::vector<uint64_t> expert_usage_;
};

const char* finish_name(vkmoe_finish_reason reason);

}  // namespace vkmoe_chat
