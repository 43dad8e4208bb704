// chat_template_examples of every golden checkpoint (shared/goldens/hf/<arch>/expected.json,
// rendered by transformers) reproduced exactly from the folder's tokenizer_config.json.
#include <gtest/gtest.h>

#include <filesystem>

#include "loader/chat/chat_template.h"
#include "loader/model/model_spec.h"
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
    const json config = read_ordered_json(entry.path() / "tokenizer_config.json");
    const json expected = read_ordered_json(entry.path() / "expected.json");
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

// The same examples through the GGUF conversions: tokenizer.chat_template and the
// vocabulary's bos/eos pieces, as `vkmoe render-chat --model x.gguf` uses them.
TEST(GoldenChatExamples, GgufTemplatesMatchTransformers) {
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(golden_path("gguf"))) {
    const std::string file = entry.path().filename().string();
    if (file.size() < 9 || file.substr(file.size() - 9) != "-F16.gguf") continue;
    const std::string arch = file.substr(0, file.size() - 9);
    SCOPED_TRACE(file);
    const ModelSpec spec = load_model_spec(entry.path().string());
    ASSERT_FALSE(spec.chat_template.empty());
    const json expected = read_ordered_json(golden_path("hf/" + arch + "/expected.json"));
    const json config = read_ordered_json(golden_path("hf/" + arch + "/tokenizer_config.json"));
    for (const auto& example : expected.at("chat_template_examples")) {
      ChatRequest req;
      req.messages = example.at("messages");
      // The GGUF carries token ids; a template only sees the pieces the HF config names.
      if (token_text(config, "bos_token")) req.bos_token = spec.vocab.tokens.at(spec.vocab.bos);
      if (token_text(config, "eos_token")) req.eos_token = spec.vocab.tokens.at(spec.vocab.eos);
      EXPECT_EQ(render_chat_template(spec.chat_template, req), example.at("text").get<std::string>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 12u);
}

}  // namespace
}  // namespace vkmoe::test
