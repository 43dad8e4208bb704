#pragma once
// A conversation as the app keeps it: a title, the model it was held with, a system prompt
// and its messages. Each assistant message records the exact prompt it was generated from
// (the rendered chat template), so a saved conversation can be replayed and checked.
// Stored as JSON (to_json/from_json) and exported as Markdown.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace vkmoe_chat {

struct Message {
  std::string role;  // "user" or "assistant"
  std::string content;
  // Assistant messages only.
  std::string prompt;  // the rendered conversation the reply continues
  bool add_special = false;
  uint32_t max_new_tokens = 0;
  std::string finish;  // why the reply ended: "end_of_generation", "max_tokens", "stopped", ...
  double prompt_tokens_per_second = 0;
  double generation_tokens_per_second = 0;
};

struct Conversation {
  std::string id;  // file stem under the chat folder
  std::string title = "New chat";
  std::string model;
  std::string system_prompt;
  std::vector<Message> messages;
};

nlohmann::json to_json(const Conversation& c);
// Throws nlohmann::json::exception on a document that is not a conversation.
Conversation conversation_from_json(const nlohmann::json& j);
std::string to_markdown(const Conversation& c);
// At most `max_bytes` of `text`, cut between UTF-8 characters (a chat's title from its first
// message).
std::string utf8_prefix(const std::string& text, size_t max_bytes);

}  // namespace vkmoe_chat
