#pragma once
// Text ↔ token ids, built from a TokenizerVocab whichever reader filled it (GGUF metadata,
// tokenizer.json, tokenizer.model):
//   a tokenizer.json vocabulary runs its TokenizerPipeline as Hugging Face's tokenizers does:
//     added tokens are cut out, each stretch between them normalized, pre-tokenized into
//     words, each word merged by BPE rank (byte fallback, unknown token) or segmented by
//     Unigram score, the post-processor adds its special tokens, and the decoder chain turns
//     ids back into text;
//   a GGUF byte-level vocabulary ("gpt2") runs the same pipeline with its family's Split
//     regexes (tokenizer.ggml.pre) and GPT-2's byte alphabet;
//   a SentencePiece vocabulary from GGUF ("llama") or tokenizer.model: spaces become '▁'
//     (plus a leading one, the dummy prefix), pieces merge by score, and characters outside
//     the vocabulary fall back to <0xXX> bytes.
// Input text that is not valid UTF-8 is read with U+FFFD in place of each ill-formed
// sequence. Decoded text is always valid UTF-8, with U+FFFD likewise.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loader/tokenizer/special_token_matcher.h"
#include "loader/tokenizer/tokenizer_vocab.h"
#include "loader/tokenizer/unigram_segmenter.h"

namespace vkmoe {

class Tokenizer {
 public:
  // Validates the vocabulary: throws Error(kInvalidFile) for a piece that is not UTF-8, an
  // id out of range, a merge naming unknown tokens; Error(kUnsupported) for an unknown kind
  // or GGUF pre-tokenizer family.
  explicit Tokenizer(TokenizerVocab vocab);

  // add_special: the post-processor's special tokens, or without one BOS/EOS as the
  // vocabulary asks (add_bos, add_eos).
  // parse_special: text that spells a special token becomes that token (added tokens that
  // are not special always do).
  std::vector<uint32_t> encode(std::string_view text, bool add_special = true, bool parse_special = true) const;
  // render_special: whether control tokens (BOS, <|im_end|>, ...) appear as their text.
  // Throws Error(kInvalidArgument) for an id out of range.
  std::string decode(std::span<const uint32_t> ids, bool render_special = true) const;
  // The bytes one token stands for; may be part of a UTF-8 character (byte tokens).
  std::string token_to_piece(uint32_t id, bool render_special = true) const;

  bool is_eog(uint32_t id) const;
  bool is_control(uint32_t id) const;
  uint32_t n_tokens() const { return static_cast<uint32_t>(vocab_.tokens.size()); }
  const TokenizerVocab& vocab() const { return vocab_; }
  // The id whose piece is exactly `piece`, or UINT32_MAX.
  uint32_t find_token(std::string_view piece) const;

 private:
  friend class StreamingDecoder;
  void validate() const;
  void build_merges();
  void build_pieces();
  void build_pipeline();
  void build_added_tokens();
  std::vector<uint32_t> encode_pipeline(const std::string& text, bool add_special, bool parse_special) const;
  void encode_text(const std::string& text, bool at_text_start, std::vector<uint32_t>& out,
                   std::unordered_map<std::string, std::vector<uint32_t>>& cache) const;
  void encode_word(std::string_view word, std::vector<uint32_t>& out) const;
  void encode_unigram_word(std::string_view word, std::vector<uint32_t>& out) const;
  int64_t unigram_piece_id(std::string_view piece) const;
  std::string decode_pipeline(std::span<const uint32_t> ids, bool render_special) const;
  void encode_spm(std::string_view text, std::vector<uint32_t>& out) const;
  void append_byte_fallback(std::string_view chars, std::vector<uint32_t>& out) const;
  // Whether a SentencePiece decode drops the leading space its dummy prefix became.
  bool strips_leading_space() const;
  void check_id(uint32_t id) const;

  TokenizerVocab vocab_;
  std::vector<TokenAttr> attrs_;        // per token, kByte also for <0xXX> pieces
  std::vector<std::string> pieces_;     // decoded bytes of each token
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> ids_;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> merges_;  // (left, right) → (rank, merged)
  std::vector<int64_t> byte_token_ids_; // id of <0xXX> for byte fallback, -1 if none
  std::vector<uint32_t> eog_;
  SpecialTokenMatcher specials_;             // added tokens matched in the raw text
  SpecialTokenMatcher normalized_specials_;  // tokenizer.json added tokens matched after normalizing
  std::shared_ptr<const TokenizerPipeline> pipeline_;  // null: the SentencePiece path
  UnigramLimits unigram_limits_;                       // a Unigram pipeline's segmenter bounds
};

// Decodes ids as they arrive. The concatenation of everything push() and finish() return
// equals decode() of all the ids, and no returned string ends inside a UTF-8 character:
// bytes of an incomplete character wait for the tokens that complete it. A pipeline
// vocabulary decodes each new id together with the ids since the last output and returns
// what the text grew by (Hugging Face's DecodeStream), so decoders that treat the first
// token specially (Metaspace, Strip) give the same text as decode().
class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tokenizer, bool render_special = true);
  std::string push(uint32_t id);
  // Flushes bytes still waiting (an incomplete character becomes U+FFFD).
  std::string finish();

 private:
  std::string take_complete(bool at_end);
  std::string push_pipeline(uint32_t id);
  const Tokenizer& tokenizer_;
  bool render_special_;
  bool at_start_ = true;
  std::string pending_;             // SentencePiece path: bytes not yet returned
  std::vector<uint32_t> window_;    // pipeline path: ids since the last output, and one before
  std::string window_text_;         // decode of the ids before the newest output
  size_t window_emitted_ = 0;       // ids of window_ whose text was returned
};

}  // namespace vkmoe
