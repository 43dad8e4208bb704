#include "apps/vkmoe-chat/conversation.h"

namespace vkmoe_chat {

nlohmann::json to_json(const Conversation& c) {
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& m : c.messages) {
    nlohmann::json j = {{"role", m.role}, {"content", m.content}};
    if (m.role == "assistant") {
      j["prompt"] = m.prompt;
      j["add_special"] = m.add_special;
      j["max_new_tokens"] = m.max_new_tokens;
      j["finish"] = m.finish;
      j["prompt_tokens_per_second"] = m.prompt_tokens_per_second;
      j["generation_tokens_per_second"] = m.generation_tokens_per_second;
    }
    messages.push_back(std::move(j));
  }
  return {{"title", c.title}, {"model", c.model}, {"system_prompt", c.system_prompt}, {"messages", messages}};
}

Conversation conversation_from_json(const nlohmann::json& j) {
  Conversation c;
  c.title = j.at("title").get<std::string>();
  c.model = j.value("model", "");
  c.system_prompt = j.value("system_prompt", "");
  for (const nlohmann::json& m : j.at("messages")) {
    Message message;
    message.role = m.at("role").get<std::string>();
    message.content = m.at("content").get<std::string>();
    message.prompt = m.value("prompt", "");
    message.add_special = m.value("add_special", false);
    message.max_new_tokens = m.value("max_new_tokens", 0u);
    message.finish = m.value("finish", "");
    message.prompt_tokens_per_second = m.value("prompt_tokens_per_second", 0.0);
    message.generation_tokens_per_second = m.value("generation_tokens_per_second", 0.0);
    c.messages.push_back(std::move(message));
  }
  return c;
}

std::string utf8_prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a character
  return text.substr(0, end);
}

std::string to_markdown(const Conversation& c) {
  std::string md = "# " + c.title + "\n\n";
  if (!c.model.empty()) md += "Model: `" + c.model + "`\n\n";
  if (!c.system_prompt.empty()) md += "**System:** " + c.system_prompt + "\n\n";
  for (const Message& m : c.messages) {
    md += (m.role == "user" ? "**User:**\n\n" : "**Assistant:**\n\n") + m.content + "\n\n";
  }
  return md;
}

}  // namespace vkmoe_chat
