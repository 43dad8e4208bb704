// StreamingDecoder: ids fed one at a time give the same text as decode() of all of them, and
// no chunk ends inside a UTF-8 character (emoji spread over byte tokens).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "loader/tokenizer/utf8.h"
#include "tests/support/goldens.h"
#include "tests/tokenizer/oracle_support.h"

namespace vkmoe {
namespace {

using Json = nlohmann::json;

// The reference ids of `text` in tokenizer_tests.json's `family` list.
std::vector<uint32_t> golden_ids(const std::string& family, const std::string& text) {
  const Json all = Json::parse(std::ifstream(test::golden_path("tokenizer_tests.json")));
  for (const Json& c : all.at(family)) {
    if (c.at("text") == text) return c.at("ids").get<std::vector<uint32_t>>();
  }
  throw std::runtime_error("no golden case '" + text + "'");
}

std::string stream(const Tokenizer& tokenizer, const std::vector<uint32_t>& ids, bool render_special) {
  StreamingDecoder decoder(tokenizer, render_special);
  std::string all;
  for (uint32_t id : ids) {
    const std::string chunk = decoder.push(id);
    EXPECT_TRUE(utf8_is_valid(chunk)) << "chunk after id " << id;
    all += chunk;
  }
  const std::string tail = decoder.finish();
  EXPECT_TRUE(utf8_is_valid(tail));
  return all + tail;
}

const std::string kEmojiText = "\xF0\x9F\x98\x80 \xF0\x9F\x9A\x80 emoji";  // "😀 🚀 emoji"

TEST(StreamingDecoder, ByteLevelEmojiSplitOverTokens) {
  const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path("hf/qwen3_moe")));
  const std::vector<uint32_t> ids = golden_ids("bpe", kEmojiText);
  // The first emoji's four bytes are spread over several tokens.
  EXPECT_TRUE(tokenizer.token_to_piece(ids[0]).size() < 4);
  EXPECT_EQ(stream(tokenizer, ids, true), kEmojiText);
  EXPECT_EQ(tokenizer.decode(ids), kEmojiText);
}

TEST(StreamingDecoder, SentencePieceByteFallback) {
  const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  const std::vector<uint32_t> ids = golden_ids("spm", kEmojiText);  // BOS, then <0xF0> <0x9F> ...
  EXPECT_EQ(stream(tokenizer, ids, false), kEmojiText);
  EXPECT_EQ(tokenizer.decode(ids, false), kEmojiText);
  EXPECT_EQ(stream(tokenizer, ids, true), tokenizer.decode(ids, true));
  EXPECT_EQ(tokenizer.decode(ids, true).rfind("<s>", 0), 0u);
}

TEST(StreamingDecoder, HoldsIncompleteCharacterUntilComplete) {
  const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  const uint32_t f0 = tokenizer.find_token("<0xF0>"), x9f = tokenizer.find_token("<0x9F>"),
                 x98 = tokenizer.find_token("<0x98>"), x80 = tokenizer.find_token("<0x80>");
  StreamingDecoder decoder(tokenizer);
  EXPECT_EQ(decoder.push(f0), "");
  EXPECT_EQ(decoder.push(x9f), "");
  EXPECT_EQ(decoder.push(x98), "");
  EXPECT_EQ(decoder.push(x80), "\xF0\x9F\x98\x80");
  EXPECT_EQ(decoder.finish(), "");
}

TEST(StreamingDecoder, IllFormedBytesBecomeReplacementCharacters) {
  const Tokenizer tokenizer(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  const uint32_t f0 = tokenizer.find_token("<0xF0>"), e6 = tokenizer.find_token("<0xE6>"),
                 x9d = tokenizer.find_token("<0x9D>"), a = tokenizer.find_token("<0x41>");
  const std::string fffd = "\xEF\xBF\xBD";
  // A lead byte followed by ASCII: decided at once, no need to wait.
  StreamingDecoder decoder(tokenizer);
  EXPECT_EQ(decoder.push(f0), "");
  EXPECT_EQ(decoder.push(a), fffd + "A");
  // A character cut off by the end of the ids: finish() flushes it as one U+FFFD.
  EXPECT_EQ(decoder.push(e6), "");
  EXPECT_EQ(decoder.push(x9d), "");
  EXPECT_EQ(decoder.finish(), fffd);
  const std::vector<uint32_t> ids = {f0, a, e6, x9d};
  EXPECT_EQ(tokenizer.decode(ids), fffd + "A" + fffd);
  EXPECT_EQ(stream(tokenizer, ids, true), tokenizer.decode(ids));
}

TEST(StreamingDecoder, EveryGoldenCaseStreamsLikeDecode) {
  const Json all = Json::parse(std::ifstream(test::golden_path("tokenizer_tests.json")));
  const Tokenizer bpe(read_tokenizer_folder(test::golden_path("hf/qwen3_moe")));
  const Tokenizer spm(read_tokenizer_folder(test::golden_path("hf/mixtral")));
  for (const auto& [family, tokenizer] : {std::pair<std::string, const Tokenizer*>{"bpe", &bpe}, {"spm", &spm}}) {
    for (const Json& c : all.at(family)) {
      const auto ids = c.at("ids").get<std::vector<uint32_t>>();
      for (bool render : {true, false}) {
        EXPECT_EQ(stream(*tokenizer, ids, render), tokenizer->decode(ids, render)) << family << " " << c.at("text");
      }
    }
  }
}

// tokenizer.json decoders that treat the first token specially (Llama 2's Strip after Fuse)
// or join bytes across tokens (ByteLevel), on real vocabularies: streaming gives decode()'s
// text, with and without special tokens, for every mixed string and each prefix of its ids.
TEST(StreamingDecoder, PipelineVocabulariesStreamLikeDecode) {
  const std::string oracle = test::oracle_dir();
  if (oracle.empty()) return;
  for (const char* package : {"tokenizer-llama2", "tokenizer-qwen3", "tokenizer-gptoss"}) {
    const Tokenizer tokenizer(read_tokenizer_folder(test::vocab_folder(oracle, package).string()));
    for (const std::string& text : test::mixed_strings()) {
      const std::vector<uint32_t> ids = tokenizer.encode(text, true);
      for (bool render : {true, false}) {
        EXPECT_EQ(stream(tokenizer, ids, render), tokenizer.decode(ids, render)) << package << ": '" << text << "'";
      }
    }
  }
}

}  // namespace
}  // namespace vkmoe
