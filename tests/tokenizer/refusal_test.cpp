// A tokenizer.json component vkmoe does not implement is refused when the file is read, with
// an error naming the component and its JSON path: never ignored, never a different
// tokenization.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loader/base/error.h"
#include "loader/tokenizer/hf_tokenizer_json.h"

namespace vkmoe {
namespace {

using Json = nlohmann::json;

struct RefusalCase {
  std::string name;
  std::string key;    // the top-level member to set
  std::string value;  // its JSON
  ErrorCode code;
  std::string message;  // a part of the error message
};

void PrintTo(const RefusalCase& c, std::ostream* os) { *os << c.name; }

std::vector<RefusalCase> cases() {
  const ErrorCode unsupported = ErrorCode::kUnsupported;
  return {
      {"NmtNormalizer", "normalizer", R"({"type": "Nmt"})", unsupported, "t.json: normalizer: normalizer 'Nmt' is not supported"},
      {"PrecompiledInSequence", "normalizer", R"({"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Precompiled"}]})",
       unsupported, "t.json: normalizer.normalizers[1]: normalizer 'Precompiled' is not supported"},
      {"UnicodeScripts", "pre_tokenizer", R"({"type": "UnicodeScripts"})", unsupported,
       "t.json: pre_tokenizer: pre-tokenizer 'UnicodeScripts' is not supported"},
      {"FixedLengthInSequence", "pre_tokenizer",
       R"({"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "FixedLength", "length": 4}]})", unsupported,
       "t.json: pre_tokenizer.pretokenizers[1]: pre-tokenizer 'FixedLength' is not supported"},
      {"SplitUnknownBehavior", "pre_tokenizer", R"({"type": "Split", "pattern": {"String": "x"}, "behavior": "Sideways"})", unsupported,
       "t.json: pre_tokenizer.behavior: split behavior 'Sideways' is not supported"},
      {"SplitPatternNeitherStringNorRegex", "pre_tokenizer", R"({"type": "Split", "pattern": {"Glob": "x"}, "behavior": "Isolated"})",
       ErrorCode::kInvalidFile, "t.json: pre_tokenizer.pattern is neither"},
      {"MetaspaceUnknownScheme", "pre_tokenizer", R"({"type": "Metaspace", "prepend_scheme": "sometimes"})", unsupported,
       "t.json: pre_tokenizer.prepend_scheme 'sometimes' is not supported"},
      {"WordPieceModel", "model", R"({"type": "WordPiece", "vocab": {"a": 0}})", unsupported,
       "t.json: model.type: model type 'WordPiece' is not supported"},
      {"BpeDropout", "model", R"({"type": "BPE", "vocab": {"a": 0}, "merges": [], "dropout": 0.1})", unsupported,
       "t.json: model.dropout: BPE dropout is not supported"},
      {"BpeContinuingSubwordPrefix", "model", R"({"type": "BPE", "vocab": {"a": 0}, "merges": [], "continuing_subword_prefix": "##"})",
       unsupported, "t.json: model: BPE continuing_subword_prefix is not supported"},
      {"WordPieceDecoder", "decoder", R"({"type": "WordPiece", "prefix": "##"})", unsupported,
       "t.json: decoder: decoder 'WordPiece' is not supported"},
      {"CtcDecoderInSequence", "decoder", R"({"type": "Sequence", "decoders": [{"type": "CTC"}]})", unsupported,
       "t.json: decoder.decoders[0]: decoder 'CTC' is not supported"},
      {"UnknownPostProcessor", "post_processor", R"({"type": "Bogus"})", unsupported,
       "t.json: post_processor: post-processor 'Bogus' is not supported"},
      {"TwoPostProcessorsAddingTokens", "post_processor",
       R"({"type": "Sequence", "processors": [{"type": "BertProcessing", "sep": ["b", 1], "cls": ["a", 0]}, {"type": "RobertaProcessing", "sep": ["b", 1], "cls": ["a", 0]}]})",
       unsupported, "t.json: post_processor.processors[1]: a second post-processor that adds special tokens is not supported"},
      {"TemplateWithoutSequence", "post_processor",
       R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "a", "type_id": 0}}], "special_tokens": {"a": {"id": "a", "ids": [0], "tokens": ["a"]}}})",
       unsupported, "t.json: post_processor.single does not contain sequence A"},
      {"TemplateUnknownSpecialToken", "post_processor",
       R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "z", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}})",
       ErrorCode::kInvalidFile, "t.json: post_processor.special_tokens has no \"z\""},
      {"Truncation", "truncation", R"({"max_length": 8, "strategy": "LongestFirst", "stride": 0, "direction": "Right"})", unsupported,
       "t.json: truncation is not supported"},
      {"Padding", "padding", R"({"strategy": {"Fixed": 16}, "pad_id": 0})", unsupported, "t.json: padding is not supported"},
  };
}

class TokenizerRefusal : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(TokenizerRefusal, NamesComponentAndPath) {
  const RefusalCase& c = GetParam();
  Json json = Json::parse(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}})");
  json[c.key] = Json::parse(c.value);
  try {
    read_hf_tokenizer_json(json.dump(), "t.json");
    ADD_FAILURE() << "accepted; expected an error containing '" << c.message << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), c.code) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << "message: " << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Components, TokenizerRefusal, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<RefusalCase>& info) { return info.param.name; });

}  // namespace
}  // namespace vkmoe
