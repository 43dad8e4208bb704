#pragma once
// The data a tokenizer is built from, filled by the GGUF reader (tokenizer.ggml.* keys) or
// by the tokenizer.json / tokenizer.model readers. No behaviour here: see tokenizer.h.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vkmoe {

struct TokenizerPipeline;  // tokenizer_pipeline.h

enum class TokenizerKind { kNone, kBytePairBpe /* GGUF "gpt2" */, kSentencePiece /* GGUF "llama" */ };

// GGUF tokenizer.ggml.token_type values.
enum class TokenAttr : int32_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct TokenizerVocab {
  TokenizerKind kind = TokenizerKind::kNone;
  std::string pre;                      // tokenizer.ggml.pre: names the pre-tokenizer family (pre_tokenizer_families.h)
  std::vector<std::string> tokens;      // id → piece (byte-level BPE pieces use GPT-2's byte map)
  std::vector<float> scores;            // SentencePiece scores; empty for BPE
  std::vector<TokenAttr> attrs;         // per token; empty means all kNormal
  std::vector<std::string> merges;      // "a b" in rank order (BPE)
  uint32_t bos = UINT32_MAX, eos = UINT32_MAX, unk = UINT32_MAX, pad = UINT32_MAX;
  std::vector<uint32_t> eog;            // end-of-generation ids (eos, <|im_end|>, <|return|> ...)
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = true;         // SentencePiece dummy prefix
  bool byte_fallback = true;            // SentencePiece <0xXX> pieces; tokenizer.json BPE's byte_fallback
  // tokenizer.json's normalizer, pre-tokenizer, post-processor, decoder and added-token
  // flags, shared by copies; null for GGUF and tokenizer.model vocabularies, which run by
  // kind and pre.
  std::shared_ptr<const TokenizerPipeline> pipeline;

  bool empty() const { return tokens.empty(); }
};

}  // namespace vkmoe
