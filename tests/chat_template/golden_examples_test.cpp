// chat_template_examples of every golden checkpoint (shared/goldens/hf/<arch>/expected.json,
// rendered by transformers) reproduced exactly from the folder's tokenizer_config.json.
#include <gtest/gtest.h>

#include <filesystem>

#include "loader/chat/chat_template.h"
#include "tests/chat_template/oracle.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

using json = nlohmann::ordered_json;

std::optional<std::string> token_text(const json& config, const char* key) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  if (config[key].is_object()) return config[key].at("content").get<std::string>();
  return config[key].get<std::string>();
}

TEST(GoldenChatExamples, EveryArchitectureMatchesTransformers) {
  const std::string hf = golden_path("hf");
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(hf)) {
    const std::string arch = entry.path().filename().string();
    SCOPED_TRACE(arch);
    const json config = json::parse(read_text_file(entry.path() / "tokenizer_config.json"));
    const json expected = json::parse(read_text_file(entry.path() / "expected.json"));
    ASSERT_TRUE(expected.contains("chat_template_examples"));
    for (const auto& example : expected["chat_template_examples"]) {
      ChatRequest req;
      req.messages = example.at("messages");
      req.add_generation_prompt = true;
      req.bos_token = token_text(config, "bos_token");
      req.eos_token = token_text(config, "eos_token");
      EXPECT_EQ(render_chat_template(config.at("chat_template").get<std::string>(), req), example.at("text").get<std::string>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 12u);  // six architectures, two examples each
}

}  // namespace
}  // namespace vkmoe::test
