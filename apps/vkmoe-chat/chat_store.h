#pragma once
// Where the app keeps what outlives a run, under $XDG_DATA_HOME/vkmoe (~/.local/share/vkmoe
// when unset): chats/<id>.json, one conversation each, and models.json (recent models and
// the settings last used with each).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "apps/vkmoe-chat/conversation.h"

namespace vkmoe_chat {

struct ChatEntry {
  std::string id;
  std::string title;
};

class ChatStore {
 public:
  ChatStore();
  const std::filesystem::path& chat_dir() const { return chat_dir_; }

  // Newest first. Files that do not parse are listed by their name.
  std::vector<ChatEntry> list() const;
  // Gives `c` an id when it has none. Throws std::runtime_error on a write failure.
  void save(Conversation& c) const;
  Conversation load(const std::string& id) const;
  void remove(const std::string& id) const;

  // models.json: {"recent": [path, ...], "settings": {path: {...}}}.
  std::vector<std::string> recent_models() const;
  void remember_model(const std::string& path);
  nlohmann::json model_settings(const std::string& path) const;
  void save_model_settings(const std::string& path, const nlohmann::json& settings);

 private:
  void write_models() const;
  std::filesystem::path chat_dir_;
  std::filesystem::path models_file_;
  nlohmann::json models_;
};

// Writes `text` to `path` through a temporary file, so a crash never leaves half a file.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace vkmoe_chat
