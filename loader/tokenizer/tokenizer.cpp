#include "loader/tokenizer/tokenizer.h"

#include <algorithm>

#include "loader/base/error.h"
#include "loader/tokenizer/byte_fallback.h"
#include "loader/tokenizer/byte_level.h"
#include "loader/tokenizer/pair_merger.h"
#include "loader/tokenizer/pre_tokenizer_families.h"
#include "loader/tokenizer/tokenizer_pipeline.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

constexpr uint32_t kNoToken = UINT32_MAX;
const std::string kSpaceMarker = "\u2581";  // '▁', SentencePiece's visible space

Error vocab_error(const std::string& what) { return Error(ErrorCode::kInvalidFile, "tokenizer vocabulary: " + what); }

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0;;) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) {
      out.append(s.substr(pos));
      return out;
    }
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
}

// Control tokens that end a turn in the chat formats vkmoe knows, for vocabularies that
// name only their EOS token (GGUF files usually do).
const char* const kEndOfTurnTexts[] = {"<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<|return|>",
                                       "<|call|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                                       "<\uFF5Cend\u2581of\u2581sentence\uFF5C>"};

}  // namespace

Tokenizer::Tokenizer(TokenizerVocab vocab) : vocab_(std::move(vocab)) {
  validate();
  const size_t n = vocab_.tokens.size();
  const bool spm = vocab_.kind == TokenizerKind::kSentencePiece;
  attrs_.assign(n, TokenAttr::kNormal);
  for (size_t i = 0; i < vocab_.attrs.size(); ++i) {
    if (static_cast<int32_t>(vocab_.attrs[i]) != 0) attrs_[i] = vocab_.attrs[i];
  }
  byte_token_ids_.assign(256, -1);
  for (size_t i = 0; i < n; ++i) {
    const int byte = byte_fallback_value(vocab_.tokens[i]);
    if (spm && vocab_.byte_fallback && byte >= 0 && (attrs_[i] == TokenAttr::kNormal || attrs_[i] == TokenAttr::kByte)) {
      attrs_[i] = TokenAttr::kByte;
      if (byte_token_ids_[byte] < 0) byte_token_ids_[byte] = static_cast<int64_t>(i);
    }
    if (!vocab_.tokens[i].empty()) ids_.emplace(vocab_.tokens[i], static_cast<uint32_t>(i));
  }
  build_pipeline();
  build_merges();
  build_pieces();
  build_added_tokens();

  eog_ = vocab_.eog;
  if (vocab_.eos != kNoToken) eog_.push_back(vocab_.eos);
  const bool harmony = find_token("<|return|>") != kNoToken && find_token("<|call|>") != kNoToken;
  for (const char* text : kEndOfTurnTexts) {
    // In the harmony format (gpt-oss) <|end|> closes a message, not the turn.
    if (harmony && std::string_view(text) == "<|end|>") continue;
    const uint32_t id = find_token(text);
    if (id != kNoToken && attrs_[id] == TokenAttr::kControl) eog_.push_back(id);
  }
  std::sort(eog_.begin(), eog_.end());
  eog_.erase(std::unique(eog_.begin(), eog_.end()), eog_.end());
}

void Tokenizer::validate() const {
  if (vocab_.kind == TokenizerKind::kNone) throw Error(ErrorCode::kUnsupported, "tokenizer vocabulary: no tokenizer kind");
  const size_t n = vocab_.tokens.size();
  if (n == 0) throw vocab_error("no tokens");
  if (n >= kNoToken) throw vocab_error(std::to_string(n) + " tokens are more than ids can hold");
  if (!vocab_.scores.empty() && vocab_.scores.size() != n) {
    throw vocab_error(std::to_string(vocab_.scores.size()) + " scores for " + std::to_string(n) + " tokens");
  }
  if (!vocab_.attrs.empty() && vocab_.attrs.size() != n) {
    throw vocab_error(std::to_string(vocab_.attrs.size()) + " token types for " + std::to_string(n) + " tokens");
  }
  for (size_t i = 0; i < vocab_.attrs.size(); ++i) {
    const auto a = static_cast<int32_t>(vocab_.attrs[i]);
    if (a < 0 || a > static_cast<int32_t>(TokenAttr::kByte)) {
      throw vocab_error("token " + std::to_string(i) + " has unknown type " + std::to_string(a));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!utf8_is_valid(vocab_.tokens[i])) throw vocab_error("token " + std::to_string(i) + " is not valid UTF-8");
  }
  const auto check = [&](uint32_t id, const char* what) {
    if (id != kNoToken && id >= n) {
      throw vocab_error(std::string(what) + " id " + std::to_string(id) + " is out of range (" + std::to_string(n) + " tokens)");
    }
  };
  check(vocab_.bos, "BOS");
  check(vocab_.eos, "EOS");
  check(vocab_.unk, "unknown-token");
  check(vocab_.pad, "padding");
  for (uint32_t id : vocab_.eog) check(id, "end-of-generation");
}

void Tokenizer::build_pipeline() {
  if (vocab_.pipeline) {
    pipeline_ = vocab_.pipeline;
  } else if (vocab_.kind == TokenizerKind::kBytePairBpe) {
    const PreTokenizerFamily* family = find_pre_tokenizer_family(vocab_.pre);
    if (!family) throw Error(ErrorCode::kUnsupported, "tokenizer: pre-tokenizer '" + vocab_.pre + "' is not supported");
    auto pipeline = std::make_shared<TokenizerPipeline>();
    pipeline->pre_tokenizer = PreTokenizer::byte_level_with_regexes(family->regexes, "pre-tokenizer '" + vocab_.pre + "'");
    pipeline->decoder = Decoder::gpt2_bytes();
    pipeline->ignore_merges = family->ignore_merges;
    pipeline_ = std::move(pipeline);
  }
  if (!pipeline_) return;
  if (pipeline_->unigram) {
    const std::vector<double>& scores = pipeline_->unigram_scores;
    double lowest = scores.empty() ? 0.0 : scores[0];
    for (size_t i = 0; i < scores.size(); ++i) {
      lowest = std::min(lowest, scores[i]);
      unigram_limits_.max_piece_bytes = std::max(unigram_limits_.max_piece_bytes, vocab_.tokens[i].size());
    }
    unigram_limits_.unknown_score = lowest - 10.0;
  }
  // Byte fallback looks tokens up by the library's spelling, "<0x0A>".
  byte_token_ids_.assign(256, -1);
  if (vocab_.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (const auto it = ids_.find(byte_fallback_piece(static_cast<uint8_t>(b))); it != ids_.end()) byte_token_ids_[b] = it->second;
    }
  }
}

void Tokenizer::build_added_tokens() {
  for (size_t i = 0; i < attrs_.size(); ++i) {
    const TokenAttr a = attrs_[i];
    if (a != TokenAttr::kControl && a != TokenAttr::kUserDefined && a != TokenAttr::kUnknown) continue;
    const auto id = static_cast<uint32_t>(i);
    AddedTokenFlags flags;
    flags.special = a != TokenAttr::kUserDefined;
    const AddedTokenSpec* spec = nullptr;
    if (pipeline_) {
      const auto it = pipeline_->added.find(id);
      if (it != pipeline_->added.end()) spec = &it->second;
    }
    if (!spec) {
      specials_.add(vocab_.tokens[i], id, flags);
    } else if (!spec->normalized) {
      specials_.add(vocab_.tokens[i], id, spec->flags);
    } else {
      // Matched in normalized text, so the content is normalized as that text is.
      std::string content = vocab_.tokens[i];
      pipeline_->normalizer.normalize(content);
      normalized_specials_.add(std::move(content), id, spec->flags);
    }
  }
}

void Tokenizer::build_merges() {
  merges_.reserve(vocab_.merges.size());
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& m = vocab_.merges[rank];
    const auto fail = [&](const std::string& why) {
      return vocab_error("merge " + std::to_string(rank) + " '" + m + "' " + why);
    };
    if (m.find(' ') == std::string::npos) throw fail("is not two tokens separated by a space");
    // A token may itself contain a space, so take the first split whose halves are tokens.
    bool found = false;
    for (size_t space = m.find(' '); space != std::string::npos && !found; space = m.find(' ', space + 1)) {
      const auto left = ids_.find(m.substr(0, space));
      const auto right = ids_.find(m.substr(space + 1));
      if (left == ids_.end() || right == ids_.end()) continue;
      const auto merged = ids_.find(left->first + right->first);
      if (merged == ids_.end()) throw fail("makes '" + left->first + right->first + "', which is not in the vocabulary");
      merges_.emplace(merge_pair_key(left->second, right->second), std::make_pair(static_cast<uint32_t>(rank), merged->second));
      found = true;
    }
    if (!found) throw fail("names a token that is not in the vocabulary");
  }
}

void Tokenizer::build_pieces() {
  const bool spm = vocab_.kind == TokenizerKind::kSentencePiece;
  pieces_.resize(vocab_.tokens.size());
  for (size_t i = 0; i < vocab_.tokens.size(); ++i) {
    const std::string& token = vocab_.tokens[i];
    switch (attrs_[i]) {
      case TokenAttr::kByte: {
        const int byte = byte_fallback_value(token);
        pieces_[i] = byte >= 0 ? std::string(1, static_cast<char>(byte)) : token;
        break;
      }
      case TokenAttr::kNormal:
        if (spm) {
          pieces_[i] = replace_all(token, kSpaceMarker, " ");
        } else {
          // Written in GPT-2's byte alphabet; a piece outside it stands for itself.
          std::string bytes;
          bool mapped = true;
          for (size_t pos = 0; pos < token.size() && mapped;) {
            const Utf8Char c = utf8_decode(token, pos);
            const int b = codepoint_to_byte(c.cp);
            mapped = b >= 0;
            bytes += static_cast<char>(b);
            pos += c.length;
          }
          pieces_[i] = mapped ? bytes : token;
        }
        break;
      default:
        pieces_[i] = token;
        break;
    }
  }
}

uint32_t Tokenizer::find_token(std::string_view piece) const {
  const auto it = ids_.find(std::string(piece));
  return it == ids_.end() ? kNoToken : it->second;
}

bool Tokenizer::is_eog(uint32_t id) const { return std::binary_search(eog_.begin(), eog_.end(), id); }

bool Tokenizer::is_control(uint32_t id) const {
  return id < attrs_.size() && (attrs_[id] == TokenAttr::kControl || attrs_[id] == TokenAttr::kUnknown);
}

void Tokenizer::check_id(uint32_t id) const {
  if (id >= vocab_.tokens.size()) {
    throw Error(ErrorCode::kInvalidArgument, "token id " + std::to_string(id) + " is out of range (vocabulary has " +
                                                 std::to_string(vocab_.tokens.size()) + " tokens)");
  }
}

std::string Tokenizer::token_to_piece(uint32_t id, bool render_special) const {
  check_id(id);
  if (!render_special && is_control(id)) return {};
  return pieces_[id];
}

std::vector<uint32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
  const std::string clean = utf8_sanitize(text);
  if (pipeline_) return encode_pipeline(clean, add_special, parse_special);
  std::vector<uint32_t> out;
  if (add_special && vocab_.add_bos && vocab_.bos != kNoToken) out.push_back(vocab_.bos);
  bool after_special = true;  // SentencePiece's dummy prefix starts every run of text
  for (const auto& fragment : specials_.split(clean, parse_special)) {
    if (fragment.is_token) {
      out.push_back(fragment.id);
      after_special = true;
    } else {
      std::string normalized = vocab_.add_space_prefix && after_special ? kSpaceMarker : std::string();
      normalized += replace_all(fragment.text, " ", kSpaceMarker);
      encode_spm(normalized, out);
      after_special = false;
    }
  }
  if (add_special && vocab_.add_eos && vocab_.eos != kNoToken) out.push_back(vocab_.eos);
  return out;
}

void Tokenizer::encode_spm(std::string_view text, std::vector<uint32_t>& out) const {
  const auto mergeable = [&](uint32_t id) {
    return attrs_[id] == TokenAttr::kNormal || attrs_[id] == TokenAttr::kUserDefined;
  };
  std::vector<MergeSymbol> symbols;
  for (size_t pos = 0; pos < text.size();) {
    const size_t len = utf8_decode(text, pos).length;
    const auto it = ids_.find(std::string(text.substr(pos, len)));
    const int64_t id = it != ids_.end() && mergeable(it->second) ? static_cast<int64_t>(it->second) : -1;
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(pos + len), id});
    pos += len;
  }
  std::vector<MergeSymbol> merged;
  if (!merges_.empty()) {
    // Hugging Face's BPE form of a SentencePiece model: merges by rank.
    merged = merge_pairs(std::move(symbols), [&](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeResult> {
      if (l.id < 0 || r.id < 0) return std::nullopt;
      const auto it = merges_.find(merge_pair_key(static_cast<uint32_t>(l.id), static_cast<uint32_t>(r.id)));
      if (it == merges_.end()) return std::nullopt;
      return MergeResult{static_cast<double>(it->second.first), it->second.second};
    });
  } else {
    // SentencePiece's own rule: merge the pair whose concatenation is the best-scored piece.
    std::string joined;
    merged = merge_pairs(std::move(symbols), [&](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeResult> {
      joined.assign(text.substr(l.begin, r.end - l.begin));
      const auto it = ids_.find(joined);
      if (it == ids_.end() || !mergeable(it->second)) return std::nullopt;
      const double score = vocab_.scores.empty() ? 0.0 : vocab_.scores[it->second];
      return MergeResult{-score, it->second};
    });
  }
  for (const MergeSymbol& s : merged) {
    if (s.id >= 0) {
      out.push_back(static_cast<uint32_t>(s.id));
    } else {
      append_byte_fallback(text.substr(s.begin, s.end - s.begin), out);
    }
  }
}

void Tokenizer::append_byte_fallback(std::string_view chars, std::vector<uint32_t>& out) const {
  if (vocab_.byte_fallback) {
    for (char c : chars) {
      const int64_t id = byte_token_ids_[static_cast<uint8_t>(c)];
      if (id >= 0) {
        out.push_back(static_cast<uint32_t>(id));
      } else if (vocab_.unk != kNoToken) {
        out.push_back(vocab_.unk);
      }
    }
  } else if (vocab_.unk != kNoToken) {
    out.push_back(vocab_.unk);
  }
}

bool Tokenizer::strips_leading_space() const {
  return vocab_.kind == TokenizerKind::kSentencePiece && vocab_.add_space_prefix;
}

std::string Tokenizer::decode(std::span<const uint32_t> ids, bool render_special) const {
  if (pipeline_) return decode_pipeline(ids, render_special);
  StreamingDecoder decoder(*this, render_special);
  std::string out;
  for (uint32_t id : ids) out += decoder.push(id);
  out += decoder.finish();
  return out;
}

// Unknown stretches become their bytes' <0xXX> tokens (byte_fallback) or the unknown token.
int64_t Tokenizer::unigram_piece_id(std::string_view piece) const {
  const auto it = ids_.find(piece);
  return it != ids_.end() && it->second < pipeline_->unigram_scores.size() ? static_cast<int64_t>(it->second) : -1;
}

void Tokenizer::encode_unigram_word(std::string_view word, std::vector<uint32_t>& out) const {
  const auto find = [this](std::string_view piece) { return unigram_piece_id(piece); };
  for (const UnigramPiece& piece : unigram_segment(word, pipeline_->unigram_scores, unigram_limits_, find)) {
    if (piece.id >= 0) {
      out.push_back(static_cast<uint32_t>(piece.id));
      continue;
    }
    const std::string_view text = word.substr(piece.begin, piece.end - piece.begin);
    if (const int64_t id = unigram_piece_id(text); id >= 0) {
      out.push_back(static_cast<uint32_t>(id));
      continue;
    }
    bool all_bytes = vocab_.byte_fallback;
    for (char c : text) all_bytes = all_bytes && byte_token_ids_[static_cast<uint8_t>(c)] >= 0;
    if (all_bytes) {
      for (char c : text) out.push_back(static_cast<uint32_t>(byte_token_ids_[static_cast<uint8_t>(c)]));
    } else if (vocab_.unk != kNoToken) {
      out.push_back(vocab_.unk);
    } else {
      throw Error(ErrorCode::kInvalidArgument, "tokenizer: text '" + std::string(text) +
                                                   "' has no Unigram piece and the model has no unk_id");
    }
  }
}

StreamingDecoder::StreamingDecoder(const Tokenizer& tokenizer, bool render_special)
    : tokenizer_(tokenizer), render_special_(render_special) {}

std::string StreamingDecoder::push(uint32_t id) {
  if (tokenizer_.pipeline_) return push_pipeline(id);
  pending_ += tokenizer_.token_to_piece(id, render_special_);
  if (at_start_ && !pending_.empty()) {
    // The space that SentencePiece's dummy prefix became is not part of the text.
    if (tokenizer_.strips_leading_space() && pending_[0] == ' ') pending_.erase(0, 1);
    at_start_ = false;
  }
  return take_complete(false);
}

std::string StreamingDecoder::finish() {
  if (!tokenizer_.pipeline_) return take_complete(true);
  const std::string text = tokenizer_.decode(window_, render_special_);
  std::string rest = text.size() > window_text_.size() ? text.substr(window_text_.size()) : std::string();
  window_.clear();
  window_text_.clear();
  window_emitted_ = 0;
  return rest;
}

std::string StreamingDecoder::take_complete(bool at_end) {
  std::string out;
  size_t pos = 0;
  while (pos < pending_.size()) {
    const Utf8Char c = utf8_decode(pending_, pos);
    if (c.truncated && !at_end) break;
    if (c.valid) {
      out.append(pending_, pos, c.length);
    } else {
      utf8_append(out, kReplacementChar);
    }
    pos += c.length;
  }
  pending_.erase(0, pos);
  return out;
}

}  // namespace vkmoe
