// Malformed tokenizer files and vocabularies give clear errors (never a crash), and text
// that is not UTF-8 is read with U+FFFD in place of each ill-formed sequence.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <unistd.h>

#include "loader/base/error.h"
#include "loader/base/mapped_file.h"
#include "loader/tokenizer/sentencepiece_model.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;

void expect_error(const std::function<void()>& f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
}

class TempFolder {
 public:
  TempFolder() : path_(fs::temp_directory_path() / ("vkmoe_tok_" + std::to_string(counter_++) + "_" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempFolder() { fs::remove_all(path_); }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
  }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A tiny byte-level BPE tokenizer.json whose `model` and extras are given.
std::string tokenizer_json(const std::string& model, const std::string& extra = "") {
  return R"({"pre_tokenizer": {"type": "ByteLevel", "use_regex": true}, "decoder": {"type": "ByteLevel"}, "model": )" +
         model + extra + "}";
}

Tokenizer from_folder_json(const std::string& json) {
  TempFolder dir;
  dir.write("tokenizer.json", json);
  return Tokenizer(read_tokenizer_folder(dir.str()));
}

TEST(TokenizerBadInput, MalformedTokenizerJson) {
  const auto read = [](const std::string& json) { return [json] { from_folder_json(json); }; };
  expect_error(read("{\"model\": "), ErrorCode::kInvalidFile, "not valid JSON");
  expect_error(read("[]"), ErrorCode::kInvalidFile, "tokenizer.json is an array, expected an object");
  expect_error(read("{}"), ErrorCode::kInvalidFile, "has no \"model\"");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "merges": []})")), ErrorCode::kInvalidFile, "has no \"vocab\"");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": [], "merges": []})")), ErrorCode::kInvalidFile,
               "model.vocab is an array, expected an object");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": {"a": "zero"}, "merges": []})")), ErrorCode::kInvalidFile,
               "vocab[\"a\"] is a string, expected an integer");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": {"a": -1}, "merges": []})")), ErrorCode::kInvalidFile,
               "token id -1 is out of range");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": [5]})")), ErrorCode::kInvalidFile,
               "merges[0] is neither");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": []})", R"(, "added_tokens": {})")),
               ErrorCode::kInvalidFile, "added_tokens is an object, expected an array");
  expect_error(read(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": []})", R"(, "added_tokens": [{"id": 1}])")),
               ErrorCode::kInvalidFile, "added_tokens[0] has no \"content\"");
  expect_error(read(tokenizer_json(R"({"type": "WordPiece", "vocab": {"a": 0}})")), ErrorCode::kUnsupported,
               "model type 'WordPiece'");
  expect_error(read(R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(\\w+"}, "behavior": "Isolated"},
                       "decoder": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
               ErrorCode::kInvalidFile, "pre_tokenizer.pattern.Regex: regex '(\\w+' does not compile");
}

TEST(TokenizerBadInput, MergeReferencingUnknownToken) {
  expect_error([] { from_folder_json(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a c"]})")); },
               ErrorCode::kInvalidFile, "merge 0 'a c' names a token that is not in the vocabulary");
  expect_error([] { from_folder_json(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [["a", "b"]]})")); },
               ErrorCode::kInvalidFile, "makes 'ab', which is not in the vocabulary");
  expect_error([] { from_folder_json(tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": ["ab"]})")); },
               ErrorCode::kInvalidFile, "is not two tokens separated by a space");
}

TEST(TokenizerBadInput, FolderAndConfigErrors) {
  TempFolder empty;
  expect_error([&] { read_tokenizer_folder(empty.str()); }, ErrorCode::kNotFound, "no tokenizer.json or tokenizer.model");

  const std::string ok = tokenizer_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []})");
  TempFolder bad_eos;
  bad_eos.write("tokenizer.json", ok);
  bad_eos.write("tokenizer_config.json", R"({"eos_token": {"content": "<|missing|>"}})");
  expect_error([&] { read_tokenizer_folder(bad_eos.str()); }, ErrorCode::kInvalidFile, "eos_token '<|missing|>' is not in the vocabulary");

  TempFolder bad_type;
  bad_type.write("tokenizer.json", ok);
  bad_type.write("tokenizer_config.json", R"({"add_bos_token": "yes"})");
  expect_error([&] { read_tokenizer_folder(bad_type.str()); }, ErrorCode::kInvalidFile, "add_bos_token is a string, expected a boolean");

  TempFolder bad_generation;
  bad_generation.write("tokenizer.json", ok);
  bad_generation.write("generation_config.json", R"({"eos_token_id": [1, 7]})");
  expect_error([&] { read_tokenizer_folder(bad_generation.str()); }, ErrorCode::kInvalidFile, "eos_token_id 7 is out of range");

  TempFolder good;
  good.write("tokenizer.json", ok);
  good.write("generation_config.json", R"({"eos_token_id": [1, 0]})");
  good.write("chat_template.jinja", "{{ messages }}");
  const TokenizerVocab vocab = read_tokenizer_folder(good.str());
  EXPECT_EQ(vocab.eog, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(read_chat_template(good.str()), "{{ messages }}");
  EXPECT_EQ(read_chat_template(empty.str()), "");

  TempFolder listed;
  listed.write("tokenizer_config.json",
               R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]})");
  EXPECT_EQ(read_chat_template(listed.str()), "D");
}

std::vector<uint8_t> golden_model_bytes() {
  const auto file = MappedFile::open(test::golden_path("hf/mixtral/tokenizer.model"));
  return std::vector<uint8_t>(file->data(), file->data() + file->size());
}

TEST(TokenizerBadInput, TruncatedSentencePieceModel) {
  const std::vector<uint8_t> bytes = golden_model_bytes();
  ASSERT_GT(bytes.size(), 1000u);
  // Every cut either fails cleanly or (at a field boundary) reads a shorter model.
  for (size_t cut = 0; cut < bytes.size(); cut += 13) {
    try {
      const TokenizerVocab vocab = read_sentencepiece_model({bytes.data(), cut}, "tokenizer.model");
      Tokenizer tokenizer(vocab);
      tokenizer.encode("Hello world");
    } catch (const Error& e) {
      EXPECT_TRUE(e.code() == ErrorCode::kInvalidFile) << e.what();
    }
  }
  expect_error([&] { read_sentencepiece_model({bytes.data(), bytes.size() - 1}, "tokenizer.model"); },
               ErrorCode::kInvalidFile, "tokenizer.model");
  expect_error([&] { read_sentencepiece_model({bytes.data(), 0}, "tokenizer.model"); }, ErrorCode::kInvalidFile, "no pieces");
}

// Protobuf bytes built by hand: key = field << 3 | wire type.
std::vector<uint8_t> piece_message(const std::string& text, int type) {
  // Element by element: GCC 12 at -O3 misreports vector::insert here (-Warray-bounds).
  std::vector<uint8_t> out = {0x0A, static_cast<uint8_t>(text.size() + 9), 0x0A, static_cast<uint8_t>(text.size())};
  for (char c : text) out.push_back(static_cast<uint8_t>(c));
  for (uint8_t b : {0x15, 0, 0, 0, 0, 0x18}) out.push_back(b);  // score 0.0, then the type
  out.push_back(static_cast<uint8_t>(type));
  return out;
}

TEST(TokenizerBadInput, MalformedSentencePieceModel) {
  const std::vector<uint8_t> lying = {0x0A, 0xFF, 0x01, 0x00};  // a 255-byte field in 4 bytes
  expect_error([&] { read_sentencepiece_model(lying, "m.model"); }, ErrorCode::kInvalidFile, "claims 255 bytes");
  const std::vector<uint8_t> endless = {0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  expect_error([&] { read_sentencepiece_model(endless, "m.model"); }, ErrorCode::kInvalidFile, "varint longer than ten bytes");
  const std::vector<uint8_t> group = {0x0B};
  expect_error([&] { read_sentencepiece_model(group, "m.model"); }, ErrorCode::kInvalidFile, "unsupported wire type 3");
  expect_error([&] { read_sentencepiece_model(piece_message("a", 9), "m.model"); }, ErrorCode::kInvalidFile,
               "piece 0: unknown piece type 9");

  std::vector<uint8_t> bad_utf8 = piece_message("<unk>", 2);
  for (const auto& more : {piece_message("\xFF\xFE", 1), piece_message("b", 1)}) {
    bad_utf8.insert(bad_utf8.end(), more.begin(), more.end());
  }
  const TokenizerVocab vocab = read_sentencepiece_model(bad_utf8, "m.model");
  EXPECT_EQ(vocab.tokens.size(), 3u);
  expect_error([&] { Tokenizer t(vocab); }, ErrorCode::kInvalidFile, "token 1 is not valid UTF-8");

  std::vector<uint8_t> bad_bos = piece_message("<unk>", 2);
  bad_bos.insert(bad_bos.end(), {0x12, 0x03, 0xC8, 0x02, 0x07});  // trainer_spec { bos_id (41) = 7 }
  expect_error([&] { read_sentencepiece_model(bad_bos, "m.model"); }, ErrorCode::kInvalidFile, "bos_id 7 is out of range");
}

TokenizerVocab small_spm_vocab() {
  TokenizerVocab v;
  v.kind = TokenizerKind::kSentencePiece;
  v.tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a"};
  v.attrs = {TokenAttr::kUnknown, TokenAttr::kControl, TokenAttr::kControl, TokenAttr::kNormal, TokenAttr::kNormal};
  v.scores = {0, 0, 0, -1, -2};
  v.unk = 0;
  v.bos = 1;
  v.eos = 2;
  return v;
}

TEST(TokenizerBadInput, InvalidVocabularies) {
  TokenizerVocab v = small_spm_vocab();
  v.bos = 99;
  expect_error([&] { Tokenizer t(v); }, ErrorCode::kInvalidFile, "BOS id 99 is out of range (5 tokens)");
  v = small_spm_vocab();
  v.eog = {5};
  expect_error([&] { Tokenizer t(v); }, ErrorCode::kInvalidFile, "end-of-generation id 5 is out of range");
  v = small_spm_vocab();
  v.scores.pop_back();
  expect_error([&] { Tokenizer t(v); }, ErrorCode::kInvalidFile, "4 scores for 5 tokens");
  v = small_spm_vocab();
  v.attrs[4] = static_cast<TokenAttr>(42);
  expect_error([&] { Tokenizer t(v); }, ErrorCode::kInvalidFile, "token 4 has unknown type 42");
  v = small_spm_vocab();
  v.tokens[3] = "\xC0\xAF";  // overlong '/'
  expect_error([&] { Tokenizer t(v); }, ErrorCode::kInvalidFile, "token 3 is not valid UTF-8");
  expect_error([] { Tokenizer t(TokenizerVocab{}); }, ErrorCode::kUnsupported, "no tokenizer kind");
  TokenizerVocab bpe;
  bpe.kind = TokenizerKind::kBytePairBpe;
  bpe.tokens = {"a"};
  bpe.pre = "no-such-pre";
  expect_error([&] { Tokenizer t(bpe); }, ErrorCode::kUnsupported, "pre-tokenizer 'no-such-pre'");

  const Tokenizer ok(small_spm_vocab());
  const std::vector<uint32_t> out_of_range = {1, 5};
  expect_error([&] { ok.decode(out_of_range); }, ErrorCode::kInvalidArgument, "token id 5 is out of range");
}

TEST(TokenizerBadInput, TextThatIsNotUtf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  for (const char* folder : {"hf/qwen3_moe", "hf/mixtral"}) {
    const Tokenizer t(read_tokenizer_folder(test::golden_path(folder)));
    EXPECT_EQ(t.encode("a\xFF" "b"), t.encode("a" + fffd + "b")) << folder;
    EXPECT_EQ(t.encode("a\xE6\x9D"), t.encode("a" + fffd)) << folder;                // truncated
    EXPECT_EQ(t.encode("\xED\xA0\x80z"), t.encode(fffd + fffd + fffd + "z")) << folder;  // surrogate
    EXPECT_EQ(t.encode("\xC0\xAF"), t.encode(fffd + fffd)) << folder;               // overlong
    EXPECT_EQ(t.decode(t.encode("x\x80y", false)), "x" + fffd + "y") << folder;
  }
}

}  // namespace
}  // namespace vkmoe
