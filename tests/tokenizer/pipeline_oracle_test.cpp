// Each tokenizer.json component against Hugging Face's own tokenizer (oracle_support.h): a
// real vocabulary (Qwen3's byte-level BPE, or Llama 2's SentencePiece-style BPE with byte
// fallback) with one component swapped in, written to a temporary tokenizer.json that both
// read. Ids must be identical for every string, and so must the decoded text, with and
// without special tokens.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "tests/support/scratch_dir.h"
#include "tests/tokenizer/oracle_support.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

enum class Base { kQwen3, kLlama2 };

struct ComponentCase {
  std::string name;
  Base base;
  std::function<void(Json&)> change;  // edits the base tokenizer.json
  bool add_special = false;
};

// Byte-level pre-tokenization after `split`, so any text has tokens in Qwen3's vocabulary.
Json then_bytes(const Json& split) {
  return Json{{"type", "Sequence"},
              {"pretokenizers", Json::array({split, Json::parse(R"({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false})")})}};
}

std::function<void(Json&)> set(const std::string& key, const std::string& json) {
  return [key, json](Json& t) { t[key] = Json::parse(json); };
}

std::function<void(Json&)> pre(const std::string& json) {
  return [json](Json& t) { t["pre_tokenizer"] = then_bytes(Json::parse(json)); };
}

std::function<void(Json&)> split(const std::string& pattern_json, const std::string& behavior, bool invert) {
  return pre(R"({"type": "Split", "pattern": )" + pattern_json + R"(, "behavior": ")" + behavior +
             R"(", "invert": )" + (invert ? "true" : "false") + "}");
}

// Adds an added token to Qwen3's vocabulary (ids past the model's) with the given flags.
std::function<void(Json&)> added(const std::string& content, const std::string& flags, const std::string& normalizer = "null") {
  return [=](Json& t) {
    Json token = Json::parse("{" + flags + "}");
    token["id"] = 151669;  // the next free id after Qwen3's added tokens
    token["content"] = content;
    for (const char* key : {"lstrip", "rstrip", "single_word", "normalized", "special"}) {
      if (!token.contains(key)) token[key] = false;
    }
    t["added_tokens"].push_back(token);
    t["normalizer"] = Json::parse(normalizer);
  };
}

// Llama 2's pieces as a Unigram model, scored unevenly (ties included) so segmentation
// choices matter.
std::function<void(Json&)> unigram(bool byte_fallback) {
  return [byte_fallback](Json& t) {
    std::vector<std::string> pieces(t["model"]["vocab"].size());
    for (const auto& [piece, id] : t["model"]["vocab"].items()) pieces.at(id.get<size_t>()) = piece;
    Json vocab = Json::array();
    for (size_t id = 0; id < pieces.size(); ++id) {
      vocab.push_back(Json::array({pieces[id], -1.0 - static_cast<double>(id % 97) * 0.01 - static_cast<double>(id / 500) * 0.05}));
    }
    t["model"] = Json{{"type", "Unigram"}, {"unk_id", 0}, {"vocab", vocab}, {"byte_fallback", byte_fallback}};
  };
}

std::vector<ComponentCase> cases() {
  const std::string gpt2_regex = R"("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+")";
  std::vector<ComponentCase> c = {
      // Normalizers.
      {"NormalizerNFC", Base::kQwen3, set("normalizer", R"({"type": "NFC"})")},
      {"NormalizerNFD", Base::kQwen3, set("normalizer", R"({"type": "NFD"})")},
      {"NormalizerNFKC", Base::kQwen3, set("normalizer", R"({"type": "NFKC"})")},
      {"NormalizerNFKD", Base::kQwen3, set("normalizer", R"({"type": "NFKD"})")},
      {"NormalizerLowercase", Base::kQwen3, set("normalizer", R"({"type": "Lowercase"})")},
      {"NormalizerStrip", Base::kQwen3, set("normalizer", R"({"type": "Strip", "strip_left": true, "strip_right": true})")},
      {"NormalizerStripLeftOnly", Base::kQwen3, set("normalizer", R"({"type": "Strip", "strip_left": true, "strip_right": false})")},
      {"NormalizerStripAccentsAfterNFD", Base::kQwen3,
       set("normalizer", R"({"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]})")},
      {"NormalizerReplaceString", Base::kQwen3, set("normalizer", R"({"type": "Replace", "pattern": {"String": "an"}, "content": "[AN]"})")},
      {"NormalizerReplaceRegex", Base::kQwen3, set("normalizer", R"({"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "})")},
      {"NormalizerPrepend", Base::kQwen3, set("normalizer", R"({"type": "Prepend", "prepend": ">> "})")},
      {"NormalizerSequence", Base::kQwen3,
       set("normalizer", R"({"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": false, "strip_right": true}]})")},
      {"BertNormalizer", Base::kQwen3, set("normalizer", R"({"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true})")},
      {"BertNormalizerKeepingAccentsAndCase", Base::kQwen3,
       set("normalizer", R"({"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": false, "lowercase": false})")},
      // Pre-tokenizers.
      {"SplitRegexIsolated", Base::kQwen3, split(R"({"Regex": "\\p{N}{1,3}"})", "Isolated", false)},
      {"SplitRegexRemoved", Base::kQwen3, split(R"({"Regex": "\\s+"})", "Removed", false)},
      {"SplitRegexMergedWithPrevious", Base::kQwen3, split(R"({"Regex": "[.,!?]"})", "MergedWithPrevious", false)},
      {"SplitRegexMergedWithNext", Base::kQwen3, split(R"({"Regex": " "})", "MergedWithNext", false)},
      {"SplitRegexContiguous", Base::kQwen3, split(R"({"Regex": "[aeiou]"})", "Contiguous", false)},
      {"SplitRegexInverted", Base::kQwen3, split(R"({"Regex": "\\w+"})", "Isolated", true)},
      {"SplitRegexInvertedRemoved", Base::kQwen3, split(R"({"Regex": "\\w+|[^\\w\\s]+"})", "Removed", true)},
      {"SplitRegexEmptyMatches", Base::kQwen3, split(R"({"Regex": "x*"})", "Isolated", false)},
      {"SplitString", Base::kQwen3, split(R"({"String": "e"})", "Isolated", false)},
      {"SplitStringWithRegexCharacters", Base::kQwen3, split(R"({"String": ". "})", "MergedWithPrevious", false)},
      {"SplitGpt2RegexMergedWithNext", Base::kQwen3, split(R"({"Regex": )" + gpt2_regex + "}", "MergedWithNext", false)},
      {"ByteLevelWithRegex", Base::kQwen3, set("pre_tokenizer", R"({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true})")},
      {"ByteLevelWithPrefixSpace", Base::kQwen3, set("pre_tokenizer", R"({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true})")},
      {"ByteLevelPrefixSpaceWithoutRegex", Base::kQwen3, set("pre_tokenizer", R"({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": false})")},
      {"Whitespace", Base::kQwen3, pre(R"({"type": "Whitespace"})")},
      {"WhitespaceSplit", Base::kQwen3, pre(R"({"type": "WhitespaceSplit"})")},
      {"Punctuation", Base::kQwen3, pre(R"({"type": "Punctuation", "behavior": "Isolated"})")},
      {"PunctuationContiguous", Base::kQwen3, pre(R"({"type": "Punctuation", "behavior": "Contiguous"})")},
      {"DigitsIndividual", Base::kQwen3, pre(R"({"type": "Digits", "individual_digits": true})")},
      {"DigitsGrouped", Base::kQwen3, pre(R"({"type": "Digits", "individual_digits": false})")},
      {"CharDelimiterSplit", Base::kQwen3, pre(R"({"type": "CharDelimiterSplit", "delimiter": "a"})")},
      {"BertPreTokenizer", Base::kQwen3, pre(R"({"type": "BertPreTokenizer"})")},
      {"PreTokenizerSequence", Base::kQwen3,
       pre(R"({"type": "Sequence", "pretokenizers": [{"type": "Punctuation", "behavior": "Contiguous"}, {"type": "Digits", "individual_digits": false}, {"type": "Split", "pattern": {"Regex": "[0-9][0-9][0-9]"}, "behavior": "Isolated", "invert": false}]})")},
      {"MetaspaceAlways", Base::kLlama2,
       [](Json& t) {
         t["normalizer"] = nullptr;
         t["pre_tokenizer"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true})");
         t["decoder"] = Json::parse(R"({"type": "Sequence", "decoders": [{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}, {"type": "ByteFallback"}, {"type": "Fuse"}]})");
       }},
      {"MetaspaceFirstNoSplit", Base::kLlama2,
       [](Json& t) {
         t["normalizer"] = nullptr;
         t["pre_tokenizer"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false})");
         t["decoder"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false})");
       }},
      {"MetaspaceNever", Base::kLlama2,
       [](Json& t) {
         t["normalizer"] = nullptr;
         t["pre_tokenizer"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": true})");
         t["decoder"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": true})");
       }},
      // The BPE model's options.
      {"BpeUnknownTokenWithoutByteFallback", Base::kLlama2, [](Json& t) { t["model"]["byte_fallback"] = false; }},
      {"BpeUnknownTokensNotFused", Base::kLlama2, [](Json& t) {
         t["model"]["byte_fallback"] = false;
         t["model"]["fuse_unk"] = false;
       }},
      {"BpeIgnoreMerges", Base::kQwen3, [](Json& t) { t["model"]["ignore_merges"] = true; }},
      {"BpeMergesAsPairs", Base::kQwen3, [](Json& t) {
         for (Json& m : t["model"]["merges"]) {
           if (m.is_string()) {
             const std::string s = m.get<std::string>();
             const size_t space = s.find(' ');
             m = Json::array({s.substr(0, space), s.substr(space + 1)});
           }
         }
       }},
      {"UnigramByteFallback", Base::kLlama2, unigram(true)},
      {"UnigramUnknownFused", Base::kLlama2, unigram(false)},
      // Post-processors (special tokens added).
      {"TemplateProcessingBosEos", Base::kQwen3,
       set("post_processor", R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}],
           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
           "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [151644], "tokens": ["<|im_start|>"]}, "<|im_end|>": {"id": "<|im_end|>", "ids": [151645, 151643], "tokens": ["<|im_end|>", "<|endoftext|>"]}}})"),
       true},
      {"RobertaProcessing", Base::kQwen3,
       set("post_processor", R"({"type": "RobertaProcessing", "sep": ["<|im_end|>", 151645], "cls": ["<|im_start|>", 151644], "trim_offsets": true, "add_prefix_space": false})"), true},
      {"PostProcessorSequence", Base::kQwen3,
       set("post_processor", R"({"type": "Sequence", "processors": [{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
           {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [{"Sequence": {"id": "A", "type_id": 0}}],
            "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [151643], "tokens": ["<|endoftext|>"]}}}]})"),
       true},
      {"Llama2TemplateWithSpecialTokens", Base::kLlama2, [](Json&) {}, true},
      // Decoders.
      {"DecoderReplaceFuseStrip", Base::kLlama2,
       set("decoder", R"({"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 1}]})")},
      {"DecoderStripEachToken", Base::kLlama2,
       set("decoder", R"({"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"Regex": "▁+"}, "content": "_"}, {"type": "Strip", "content": "_", "start": 2, "stop": 0}]})")},
      {"DecoderNone", Base::kQwen3, set("decoder", "null")},
      // Added tokens and their flags.
      {"AddedTokenLstrip", Base::kQwen3, added("<mask>", R"("lstrip": true, "special": true)")},
      {"AddedTokenRstrip", Base::kQwen3, added("<mask>", R"("rstrip": true)")},
      {"AddedTokenSingleWord", Base::kQwen3, added("an", R"("single_word": true)")},
      {"AddedTokenNormalized", Base::kQwen3, added("Hello", R"("normalized": true)", R"({"type": "Lowercase"})")},
      {"AddedTokenNotNormalized", Base::kQwen3, added("HELLO", R"("normalized": false)", R"({"type": "Lowercase"})")},
  };
  return c;
}

// Strings that reach each component: the mixed set plus spellings of the added tokens.
std::vector<std::string> case_strings() {
  std::vector<std::string> s = test::mixed_strings();
  for (const char* extra : {"a <mask> b  <mask>\tc<mask>", "an and banana an. an_x (an) an", "Hello hello HELLO world",
                            "say hi.Then go, now!Stop ... ok", "x xx xxx", "\xE2\x96\x81\xE2\x96\x81lead  spaces"}) {
    s.push_back(extra);
  }
  return s;
}

void PrintTo(const ComponentCase& c, std::ostream* os) { *os << c.name; }

class PipelineOracle : public ::testing::TestWithParam<ComponentCase> {};

TEST_P(PipelineOracle, MatchesHuggingFace) {
  const ComponentCase& c = GetParam();
  const std::string oracle = test::oracle_dir();
  if (oracle.empty()) return;
  const fs::path source = test::vocab_folder(oracle, c.base == Base::kQwen3 ? "tokenizer-qwen3" : "tokenizer-llama2");
  Json json = Json::parse(std::ifstream(source / "tokenizer.json"));
  c.change(json);
  const test::ScratchDir dir;
  std::ofstream(dir.file("tokenizer.json")) << json.dump();

  const Tokenizer tokenizer(read_tokenizer_folder(dir.path()));
  const std::vector<std::string> strings = case_strings();
  const auto want = test::oracle_results(oracle, dir.file("tokenizer.json"), strings, c.add_special);
  ASSERT_EQ(want.size(), strings.size());
  for (size_t i = 0; i < strings.size(); ++i) {
    EXPECT_EQ(tokenizer.encode(strings[i], c.add_special), want[i].ids) << c.name << " string " << i << ": '" << strings[i] << "'";
    EXPECT_EQ(tokenizer.decode(want[i].ids), want[i].text) << c.name << " string " << i << ": '" << strings[i] << "'";
    EXPECT_EQ(tokenizer.decode(want[i].ids, false), want[i].plain_text) << c.name << " string " << i << ": '" << strings[i] << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Components, PipelineOracle, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<ComponentCase>& info) { return info.param.name; });

}  // namespace
}  // namespace vkmoe
