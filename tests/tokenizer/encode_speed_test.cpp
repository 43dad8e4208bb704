// Encoding 100 KB of text stays well under a second: merges use a priority queue (no
// quadratic rescans on long words) and pre-tokenized words are cached. The 100 KB of mixed
// text is also checked against Hugging Face's tokenizer on real vocabularies, with the
// encode speed printed (no timing assertion there: the machine is shared).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "tests/support/goldens.h"
#include "tests/tokenizer/oracle_support.h"

namespace vkmoe {
namespace {

double seconds_to_encode(const Tokenizer& tokenizer, const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<uint32_t> ids = tokenizer.encode(text);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GT(ids.size(), text.size() / 16);
  return elapsed.count();
}

std::string prose(size_t bytes) {
  const std::string paragraph =
      "The quick brown fox jumps over the lazy dog. Mixture of experts route each token to k experts.\n"
      "def f(x):\n    return x * 1234567 + 89\n\xE6\x9D\xB1\xE4\xBA\xAC \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 "
      "\xF0\x9F\x98\x80 don't stop    believing\t\n\n";
  std::string text;
  while (text.size() < bytes) text += paragraph;
  return text;
}

// One 100 KB "word": no pre-tokenizer split, so the merge loop itself must scale.
std::string one_long_word(size_t bytes) {
  std::string text;
  for (size_t i = 0; text.size() < bytes; ++i) text += static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return text;
}

TEST(TokenizerSpeed, HundredKilobytesUnderASecond) {
  const Tokenizer bpe(read_tokenizer_folder(test::golden_path("hf/qwen3_moe")));
  const Tokenizer spm(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  for (const Tokenizer* t : {&bpe, &spm}) {
    EXPECT_LT(seconds_to_encode(*t, prose(100 * 1024)), 1.0);
    EXPECT_LT(seconds_to_encode(*t, one_long_word(100 * 1024)), 1.0);
  }
}

std::string mixed_text(size_t bytes) {
  std::string text;
  for (size_t i = 0; text.size() < bytes; ++i) {
    const auto& strings = test::mixed_strings();
    text += strings[i % strings.size()];
    text += i % 3 == 0 ? "\n" : " ";
  }
  return text;
}

TEST(TokenizerSpeed, HundredKilobytesOfMixedTextMatchOracle) {
  const std::string oracle = test::oracle_dir();
  if (oracle.empty()) return;
  const std::string text = mixed_text(100 * 1024);
  for (const char* package : {"tokenizer-qwen3", "tokenizer-deepseek_v3", "tokenizer-gptoss", "tokenizer-llama2"}) {
    const auto folder = test::vocab_folder(oracle, package);
    const Tokenizer tokenizer(read_tokenizer_folder(folder.string()));
    const auto start = std::chrono::steady_clock::now();
    const std::vector<uint32_t> ids = tokenizer.encode(text, false);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::printf("%-22s encode %zu bytes -> %zu ids in %.1f ms: %.2f MB/s\n", package, text.size(), ids.size(),
                elapsed.count() * 1e3, static_cast<double>(text.size()) / 1e6 / elapsed.count());
    const auto want = test::oracle_results(oracle, folder / "tokenizer.json", {text}, false);
    ASSERT_EQ(want.size(), 1u);
    EXPECT_EQ(ids, want[0].ids) << package;
  }
}

}  // namespace
}  // namespace vkmoe
