#include "apps/vkmoe-chat/chat_store.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vkmoe_chat {

namespace {

constexpr size_t kRecentModels = 8;

std::filesystem::path data_home() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] != '\0') return std::filesystem::path(xdg) / "vkmoe";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "vkmoe";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
}

ChatStore::ChatStore() : chat_dir_(data_home() / "chats"), models_file_(data_home() / "models.json") {
  models_ = nlohmann::json::object();
  std::error_code ec;
  if (std::filesystem::exists(models_file_, ec)) {
    // A damaged models.json only loses the recent list and saved settings.
    models_ = nlohmann::json::parse(read_file(models_file_), nullptr, false);
    if (!models_.is_object()) models_ = nlohmann::json::object();
  }
}

std::vector<ChatEntry> ChatStore::list() const {
  std::vector<std::pair<std::filesystem::file_time_type, ChatEntry>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(chat_dir_, ec)) {
    if (entry.path().extension() != ".json") continue;
    ChatEntry e{entry.path().stem().string(), entry.path().stem().string()};
    const nlohmann::json j = nlohmann::json::parse(read_file(entry.path()), nullptr, false);
    if (j.is_object() && j.contains("title") && j["title"].is_string()) e.title = j["title"].get<std::string>();
    found.emplace_back(entry.last_write_time(ec), e);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<ChatEntry> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

void ChatStore::save(Conversation& c) const {
  if (c.id.empty()) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    c.id = "chat-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  }
  // Replies are valid UTF-8 (the engine emits whole characters), but text pasted by hand may
  // not be: such bytes become U+FFFD rather than a failed save.
  write_file_atomically(chat_dir_ / (c.id + ".json"), to_json(c).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

Conversation ChatStore::load(const std::string& id) const {
  const nlohmann::json j = nlohmann::json::parse(read_file(chat_dir_ / (id + ".json")));
  Conversation c = conversation_from_json(j);
  c.id = id;
  return c;
}

void ChatStore::remove(const std::string& id) const {
  std::error_code ec;
  std::filesystem::remove(chat_dir_ / (id + ".json"), ec);
}

std::vector<std::string> ChatStore::recent_models() const {
  std::vector<std::string> out;
  if (models_.contains("recent") && models_["recent"].is_array()) {
    for (const auto& p : models_["recent"]) {
      if (p.is_string()) out.push_back(p.get<std::string>());
    }
  }
  return out;
}

void ChatStore::remember_model(const std::string& path) {
  std::vector<std::string> recent = recent_models();
  recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
  recent.insert(recent.begin(), path);
  if (recent.size() > kRecentModels) recent.resize(kRecentModels);
  models_["recent"] = recent;
  write_models();
}

nlohmann::json ChatStore::model_settings(const std::string& path) const {
  if (models_.contains("settings") && models_["settings"].contains(path)) return models_["settings"][path];
  return nlohmann::json::object();
}

void ChatStore::save_model_settings(const std::string& path, const nlohmann::json& settings) {
  models_["settings"][path] = settings;
  write_models();
}

void ChatStore::write_models() const {
  write_file_atomically(models_file_, models_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace vkmoe_chat
