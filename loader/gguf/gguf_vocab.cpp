#include "loader/gguf/gguf_vocab.h"

#include <algorithm>
#include <array>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

// Control tokens that end a turn in the chat formats vkmoe knows, beside the declared eos /
// eot / eom ids (the same list llama.cpp recognises by text).
constexpr std::array<std::string_view, 9> kEndOfGenerationTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
    "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>",
};

void add_unique(std::vector<uint32_t>& ids, uint32_t id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

TokenizerVocab gguf_tokenizer_vocab(const GgufMetadata& m, const std::string& path) {
  TokenizerVocab v;
  std::string_view model = m.find_string("tokenizer.ggml.model").value_or("none");
  if (model == "none") return v;
  if (model == "gpt2") {
    v.kind = TokenizerKind::kBytePairBpe;
  } else if (model == "llama") {
    v.kind = TokenizerKind::kSentencePiece;
  } else {
    throw Error(ErrorCode::kUnsupported, path + ": tokenizer model '" + std::string(model) + "' is not supported");
  }
  v.pre = std::string(m.find_string("tokenizer.ggml.pre").value_or("default"));

  const auto& tokens = m.get_string_array("tokenizer.ggml.tokens");
  v.tokens.assign(tokens.begin(), tokens.end());
  const size_t n = v.tokens.size();
  auto check_count = [&](const char* key, size_t count) {
    if (count != n) {
      throw Error(ErrorCode::kInvalidFile, path + ": " + key + " has " + std::to_string(count) + " entries for " +
                                               std::to_string(n) + " tokens");
    }
  };
  if (m.has("tokenizer.ggml.scores")) {
    v.scores = m.get_f32_array("tokenizer.ggml.scores");
    check_count("tokenizer.ggml.scores", v.scores.size());
  }
  if (m.has("tokenizer.ggml.token_type")) {
    std::vector<int64_t> types = m.get_int_array("tokenizer.ggml.token_type");
    check_count("tokenizer.ggml.token_type", types.size());
    v.attrs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      int64_t t = types[i];
      if (t < 0 || t > static_cast<int64_t>(TokenAttr::kByte)) {
        throw Error(ErrorCode::kInvalidFile, path + ": tokenizer.ggml.token_type[" + std::to_string(i) + "] = " +
                                                 std::to_string(t) + " is not a token type");
      }
      // 0 is llama.cpp's "undefined", written by converters that know no better: a normal token.
      v.attrs.push_back(t == 0 ? TokenAttr::kNormal : static_cast<TokenAttr>(t));
    }
  }
  if (m.has("tokenizer.ggml.merges")) {
    const auto& merges = m.get_string_array("tokenizer.ggml.merges");
    v.merges.assign(merges.begin(), merges.end());
  }

  auto token_id = [&](const char* key) -> uint32_t {
    auto id = m.find_u32(key);
    if (!id) return UINT32_MAX;
    if (*id >= n) {
      throw Error(ErrorCode::kInvalidFile, path + ": " + key + " = " + std::to_string(*id) + " is outside the " +
                                               std::to_string(n) + "-token vocabulary");
    }
    return *id;
  };
  v.bos = token_id("tokenizer.ggml.bos_token_id");
  v.eos = token_id("tokenizer.ggml.eos_token_id");
  v.unk = token_id("tokenizer.ggml.unknown_token_id");
  v.pad = token_id("tokenizer.ggml.padding_token_id");
  for (uint32_t id : {v.eos, token_id("tokenizer.ggml.eot_token_id"), token_id("tokenizer.ggml.eom_token_id")}) {
    if (id != UINT32_MAX) add_unique(v.eog, id);
  }
  for (size_t i = 0; i < n; ++i) {
    if (std::find(kEndOfGenerationTexts.begin(), kEndOfGenerationTexts.end(), v.tokens[i]) != kEndOfGenerationTexts.end()) {
      add_unique(v.eog, static_cast<uint32_t>(i));
    }
  }

  bool spm = v.kind == TokenizerKind::kSentencePiece;
  v.add_bos = m.find_bool("tokenizer.ggml.add_bos_token").value_or(spm);
  v.add_eos = m.find_bool("tokenizer.ggml.add_eos_token").value_or(false);
  v.add_space_prefix = m.find_bool("tokenizer.ggml.add_space_prefix").value_or(spm);
  v.byte_fallback = spm;
  return v;
}

}  // namespace vkmoe
