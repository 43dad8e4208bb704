// vkmoe-chat's data without a window: fenced code blocks split from prose, conversations to
// JSON and back (UTF-8 intact), the Markdown export, and per-model settings read leniently.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/vkmoe-chat/chat_settings.h"
#include "apps/vkmoe-chat/code_blocks.h"
#include "apps/vkmoe-chat/conversation.h"

namespace vkmoe_chat {
namespace {

TEST(CodeBlocks, ProseAloneIsOneSegment) {
  const auto s = split_code_blocks("just text\nover two lines");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(s[0].code);
  EXPECT_EQ(s[0].text, "just text\nover two lines");
}

TEST(CodeBlocks, FencedBlockWithLanguageBetweenProse) {
  const auto s = split_code_blocks("Look:\n```python\nprint('мир')\nx = 1\n```\nDone.");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FALSE(s[0].code);
  EXPECT_EQ(s[0].text, "Look:\n");
  EXPECT_TRUE(s[1].code);
  EXPECT_EQ(s[1].language, "python");
  EXPECT_EQ(s[1].text, "print('мир')\nx = 1\n");
  EXPECT_FALSE(s[2].code);
  EXPECT_EQ(s[2].text, "Done.");
}

TEST(CodeBlocks, UnclosedFenceWhileStreamingRunsToTheEnd) {
  const auto s = split_code_blocks("```\nint main() {");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].code);
  EXPECT_EQ(s[0].language, "");
  EXPECT_EQ(s[0].text, "int main() {");
}

TEST(CodeBlocks, EmptyTextHasNoSegments) { EXPECT_TRUE(split_code_blocks("").empty()); }

Conversation sample() {
  Conversation c;
  c.id = "chat-1";
  c.title = "Ελληνικά and 中文";
  c.model = "/models/x.gguf";
  c.system_prompt = "Be brief.";
  c.messages.push_back({"user", "héllo\n```\ncode\n```"});
  Message reply{"assistant", "réponse 🙂"};
  reply.prompt = "<|im_start|>user\nhéllo<|im_end|>\n";
  reply.add_special = true;
  reply.max_new_tokens = 12;
  reply.finish = "max_tokens";
  reply.prompt_tokens_per_second = 10.5;
  reply.generation_tokens_per_second = 3.25;
  c.messages.push_back(reply);
  return c;
}

TEST(ConversationJson, RoundTripKeepsEveryField) {
  const Conversation c = sample();
  const Conversation back = conversation_from_json(nlohmann::json::parse(to_json(c).dump()));
  EXPECT_EQ(back.title, c.title);
  EXPECT_EQ(back.model, c.model);
  EXPECT_EQ(back.system_prompt, c.system_prompt);
  ASSERT_EQ(back.messages.size(), 2u);
  EXPECT_EQ(back.messages[0].content, c.messages[0].content);
  const Message& r = back.messages[1];
  EXPECT_EQ(r.content, "réponse 🙂");
  EXPECT_EQ(r.prompt, c.messages[1].prompt);
  EXPECT_TRUE(r.add_special);
  EXPECT_EQ(r.max_new_tokens, 12u);
  EXPECT_EQ(r.finish, "max_tokens");
  EXPECT_DOUBLE_EQ(r.prompt_tokens_per_second, 10.5);
  EXPECT_DOUBLE_EQ(r.generation_tokens_per_second, 3.25);
}

TEST(ConversationJson, ADocumentWithoutMessagesIsRefused) {
  EXPECT_THROW(conversation_from_json(nlohmann::json{{"title", "x"}}), nlohmann::json::exception);
  EXPECT_THROW(conversation_from_json(nlohmann::json{{"title", 3}, {"messages", nlohmann::json::array()}}),
               nlohmann::json::exception);
}

TEST(ConversationMarkdown, HoldsTitleSystemPromptAndMessagesInOrder) {
  const std::string md = to_markdown(sample());
  EXPECT_EQ(md.rfind("# Ελληνικά and 中文\n", 0), 0u) << md;
  const size_t system = md.find("Be brief."), user = md.find("héllo"), reply = md.find("réponse 🙂");
  ASSERT_NE(system, std::string::npos);
  ASSERT_NE(user, std::string::npos);
  ASSERT_NE(reply, std::string::npos);
  EXPECT_LT(system, user);
  EXPECT_LT(user, reply);
}

TEST(Utf8Prefix, CutsBetweenCharactersOnly) {
  EXPECT_EQ(utf8_prefix("Ελληνικά", 3), "Ε");  // two bytes each: the third is inside λ
  EXPECT_EQ(utf8_prefix("Ελληνικά", 4), "Ελ");
  EXPECT_EQ(utf8_prefix("🙂x", 3), "");
  EXPECT_EQ(utf8_prefix("short", 40), "short");
}

TEST(ChatSettings, MissingAndMistypedFieldsKeepTheirDefaults) {
  const ChatSettings defaults;
  const ChatSettings s = settings_from_json(nlohmann::json{{"temperature", 0.7}, {"top_k", "forty"}, {"seed", 42}});
  EXPECT_FLOAT_EQ(s.temperature, 0.7f);
  EXPECT_EQ(s.top_k, defaults.top_k);
  EXPECT_EQ(s.seed, 42);
  EXPECT_EQ(s.max_tokens, defaults.max_tokens);
  const ChatSettings round = settings_from_json(to_json(s));
  EXPECT_FLOAT_EQ(round.temperature, 0.7f);
  EXPECT_EQ(round.seed, 42);
  EXPECT_EQ(settings_from_json(nlohmann::json::array()).max_tokens, defaults.max_tokens);
}

TEST(ChatSettings, SamplingTheEngineRefusesIsReported) {
  ChatSettings s;
  EXPECT_EQ(s.sampling_problem(), "");
  s.temperature = -1.0f;
  EXPECT_NE(s.sampling_problem(), "");
  s.temperature = 0.5f;
  s.top_p = 0.0f;
  EXPECT_NE(s.sampling_problem(), "");
}

}  // namespace
}  // namespace vkmoe_chat
