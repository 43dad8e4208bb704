#pragma once
// Text ↔ token ids for the two tokenizer families vkmoe serves, built from a TokenizerVocab
// whichever reader filled it (GGUF metadata, tokenizer.json, tokenizer.model):
//   byte-level BPE (GPT-2 style): special tokens are cut out first, the rest is split by the
//     family's pre-tokenizer regexes, each piece's bytes are written in GPT-2's byte
//     alphabet and merged by rank;
//   SentencePiece (llama): spaces become '▁' (plus a leading one, the dummy prefix), pieces
//     merge by score — or by rank when the vocabulary lists merges, as Hugging Face's
//     tokenizer.json does — and characters outside the vocabulary fall back to <0xXX> bytes.
// Input text that is not valid UTF-8 is read with U+FFFD in place of each ill-formed
// sequence. Decoded text is always valid UTF-8, with U+FFFD likewise.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loader/tokenizer/pre_tokenizer.h"
#include "loader/tokenizer/special_token_matcher.h"
#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

class Tokenizer {
 public:
  // Validates the vocabulary: throws Error(kInvalidFile) for a piece that is not UTF-8, an
  // id out of range, a merge naming unknown tokens; Error(kUnsupported) for an unknown kind
  // or pre-tokenizer.
  explicit Tokenizer(TokenizerVocab vocab);

  // add_special: BOS/EOS as the vocabulary asks (add_bos, add_eos).
  // parse_special: text that spells a special or added token becomes that token.
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
  void encode_bpe(std::string_view text, std::vector<uint32_t>& out,
                  std::unordered_map<std::string, std::vector<uint32_t>>& cache) const;
  void encode_bpe_word(std::string_view word, std::vector<uint32_t>& out) const;
  void encode_spm(std::string_view text, std::vector<uint32_t>& out) const;
  void append_byte_fallback(std::string_view chars, std::vector<uint32_t>& out) const;
  // Whether a SentencePiece decode drops the leading space its dummy prefix became.
  bool strips_leading_space() const;
  void check_id(uint32_t id) const;

  TokenizerVocab vocab_;
  std::vector<TokenAttr> attrs_;        // per token, kByte also for <0xXX> pieces
  std::vector<std::string> pieces_;     // decoded bytes of each token
  std::unordered_map<std::string, uint32_t> ids_;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> merges_;  // (left, right) → (rank, merged)
  std::vector<int64_t> byte_char_ids_;  // byte-level BPE: id of each byte's character, -1 if none
  std::vector<int64_t> byte_token_ids_; // SentencePiece: id of <0xXX>, -1 if none
  std::vector<uint32_t> eog_;
  SpecialTokenMatcher specials_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
};

// Decodes ids as they arrive. The concatenation of everything push() and finish() return
// equals decode() of all the ids, and no returned string ends inside a UTF-8 character:
// bytes of an incomplete character wait for the tokens that complete it.
class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tokenizer, bool render_special = true);
  std::string push(uint32_t id);
  // Flushes bytes still waiting (an incomplete character becomes U+FFFD).
  std::string finish();

 private:
  std::string take_complete(bool at_end);
  const Tokenizer& tokenizer_;
  bool render_special_;
  bool at_start_ = true;
  std::string pending_;
};

}  // namespace vkmoe
