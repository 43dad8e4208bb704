// The reference tokenizers' ids from shared/goldens: tokenizer_tests.json (`bpe` for every
// byte-level BPE folder, `spm` for mixtral's SentencePiece model, ids with BOS) and each
// folder's expected.json prompt → prompt_ids (the first T ids of the prompt).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loader/gguf/gguf_model.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

using Json = nlohmann::json;

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return Json::parse(s.str());
}

std::vector<uint32_t> ids_of(const Json& v) {
  // expected.json stores id lists as text ("[1, 2, 3]"), tokenizer_tests.json as arrays.
  const Json list = v.is_string() ? Json::parse(v.get<std::string>()) : v;
  return list.get<std::vector<uint32_t>>();
}

const char* const kBpeFolders[] = {"qwen3_moe", "qwen2_moe", "olmoe", "deepseek_v3", "gpt_oss"};

void expect_cases(const Tokenizer& tokenizer, const Json& cases, const std::string& source) {
  ASSERT_FALSE(cases.empty());
  for (const Json& c : cases) {
    const std::string text = c.at("text").get<std::string>();
    EXPECT_EQ(tokenizer.encode(text, true), ids_of(c.at("ids"))) << source << ": '" << text << "'";
    EXPECT_EQ(tokenizer.decode(tokenizer.encode(text, false)), text) << source << ": '" << text << "'";
  }
}

TEST(TokenizerGoldens, BytePairBpeFoldersMatchReference) {
  const Json cases = read_json(test::golden_path("tokenizer_tests.json")).at("bpe");
  for (const char* folder : kBpeFolders) {
    const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path(std::string("hf/") + folder)));
    expect_cases(tokenizer, cases, folder);
  }
}

TEST(TokenizerGoldens, SentencePieceModelMatchesReference) {
  const Json cases = read_json(test::golden_path("tokenizer_tests.json")).at("spm");
  const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  expect_cases(tokenizer, cases, "mixtral");
}

TEST(TokenizerGoldens, GgufVocabulariesMatchReference) {
  const Json all = read_json(test::golden_path("tokenizer_tests.json"));
  for (const char* folder : kBpeFolders) {
    const std::string path = test::golden_path(std::string("gguf/") + folder + "-F16.gguf");
    const Tokenizer tokenizer(load_gguf_model_spec(path).vocab);
    expect_cases(tokenizer, all.at("bpe"), path);
  }
  const std::string mixtral = test::golden_path("gguf/mixtral-F16.gguf");
  expect_cases(Tokenizer(load_gguf_model_spec(mixtral).vocab), all.at("spm"), mixtral);
}

TEST(TokenizerGoldens, PromptsEncodeToPromptIds) {
  for (const char* folder : {"mixtral", "qwen3_moe", "qwen2_moe", "olmoe", "deepseek_v3", "gpt_oss"}) {
    const std::string dir = test::golden_path(std::string("hf/") + folder);
    const Json expected = read_json(dir + "/expected.json");
    const std::vector<uint32_t> want = ids_of(expected.at("prompt_ids"));
    const Tokenizer tokenizer(read_tokenizer_folder(dir));
    std::vector<uint32_t> got = tokenizer.encode(expected.at("prompt").get<std::string>(), true);
    ASSERT_GE(got.size(), want.size()) << folder;
    got.resize(want.size());
    EXPECT_EQ(got, want) << folder;
  }
}

TEST(TokenizerGoldens, FolderSpecialTokens) {
  const TokenizerVocab qwen = read_tokenizer_folder(test::golden_path("hf/qwen3_moe"));
  EXPECT_EQ(qwen.kind, TokenizerKind::kBytePairBpe);
  EXPECT_EQ(qwen.pre, "gpt-2");
  EXPECT_EQ(qwen.eos, 2u);  // <|im_end|>
  EXPECT_EQ(qwen.pad, 0u);
  EXPECT_FALSE(qwen.add_bos);
  const Tokenizer q(qwen);
  EXPECT_TRUE(q.is_eog(2));
  EXPECT_FALSE(q.is_eog(67));

  const TokenizerVocab mixtral = read_tokenizer_folder(test::golden_path("hf/mixtral"));
  EXPECT_EQ(mixtral.kind, TokenizerKind::kSentencePiece);
  EXPECT_EQ(mixtral.bos, 1u);
  EXPECT_EQ(mixtral.eos, 2u);
  EXPECT_EQ(mixtral.unk, 0u);
  EXPECT_TRUE(mixtral.add_bos);
  EXPECT_FALSE(mixtral.add_eos);
  EXPECT_TRUE(mixtral.byte_fallback);
  EXPECT_EQ(mixtral.tokens.size(), 1000u);
}

TEST(TokenizerGoldens, ChatTemplates) {
  EXPECT_NE(read_chat_template(test::golden_path("hf/qwen3_moe")).find("<|im_start|>"), std::string::npos);
  EXPECT_NE(read_chat_template(test::golden_path("hf/mixtral")).find("[INST]"), std::string::npos);
}

}  // namespace
}  // namespace vkmoe
