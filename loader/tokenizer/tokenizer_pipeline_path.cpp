// The Tokenizer's tokenizer.json path (also GGUF byte-level vocabularies): encoding through
// the TokenizerPipeline, decoding through its decoder chain, and streaming that decode.
#include "loader/base/error.h"
#include "loader/tokenizer/pair_merger.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_pipeline.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

constexpr uint32_t kNoToken = UINT32_MAX;
const std::string kReplacementText = "\xEF\xBF\xBD";  // U+FFFD

bool ends_with_replacement(const std::string& s) {
  return s.size() >= kReplacementText.size() && s.compare(s.size() - kReplacementText.size(), kReplacementText.size(), kReplacementText) == 0;
}

}  // namespace

std::vector<uint32_t> Tokenizer::encode_pipeline(const std::string& text, bool add_special, bool parse_special) const {
  std::vector<uint32_t> out;
  std::unordered_map<std::string, std::vector<uint32_t>> cache;
  for (const auto& fragment : specials_.split(text, parse_special)) {
    if (fragment.is_token) {
      out.push_back(fragment.id);
      continue;
    }
    std::string normalized(fragment.text);
    pipeline_->normalizer.normalize(normalized);
    if (normalized_specials_.empty()) {
      encode_text(normalized, fragment.offset == 0, out, cache);
      continue;
    }
    for (const auto& piece : normalized_specials_.split(normalized, parse_special)) {
      if (piece.is_token) {
        out.push_back(piece.id);
      } else {
        encode_text(std::string(piece.text), fragment.offset == 0 && piece.offset == 0, out, cache);
      }
    }
  }
  if (!add_special) return out;
  const PostProcessor& post = pipeline_->post_processor;
  if (post.present) {
    out.insert(out.begin(), post.prefix.begin(), post.prefix.end());
    out.insert(out.end(), post.suffix.begin(), post.suffix.end());
  } else {
    if (vocab_.add_bos && vocab_.bos != kNoToken) out.insert(out.begin(), vocab_.bos);
    if (vocab_.add_eos && vocab_.eos != kNoToken) out.push_back(vocab_.eos);
  }
  return out;
}

void Tokenizer::encode_text(const std::string& text, bool at_text_start, std::vector<uint32_t>& out,
                            std::unordered_map<std::string, std::vector<uint32_t>>& cache) const {
  std::vector<std::string> words;
  pipeline_->pre_tokenizer.split(text, at_text_start, words);
  for (std::string& word : words) {
    auto [it, inserted] = cache.try_emplace(std::move(word));
    if (inserted) encode_word(it->first, it->second);
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
}

// Hugging Face's BPE on one word: each character is its token, or its bytes' <0xXX> tokens
// (byte_fallback), or the unknown token (consecutive ones fused with fuse_unk), or nothing;
// then pairs merge by rank.
void Tokenizer::encode_word(std::string_view word, std::vector<uint32_t>& out) const {
  if (pipeline_->unigram) {
    encode_unigram_word(word, out);
    return;
  }
  if (pipeline_->ignore_merges) {
    if (const auto it = ids_.find(word); it != ids_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::vector<MergeSymbol> symbols;
  symbols.reserve(word.size());
  bool previous_unknown = false;
  for (size_t pos = 0; pos < word.size();) {
    const size_t len = utf8_decode(word, pos).length;
    const auto begin = static_cast<uint32_t>(pos), end = static_cast<uint32_t>(pos + len);
    pos += len;
    if (const auto it = ids_.find(word.substr(begin, len)); it != ids_.end()) {
      symbols.push_back({begin, end, it->second});
      previous_unknown = false;
      continue;
    }
    bool all_bytes = vocab_.byte_fallback;
    for (uint32_t b = begin; b < end && all_bytes; ++b) all_bytes = byte_token_ids_[static_cast<uint8_t>(word[b])] >= 0;
    if (all_bytes) {
      for (uint32_t b = begin; b < end; ++b) symbols.push_back({b, b + 1, byte_token_ids_[static_cast<uint8_t>(word[b])]});
      previous_unknown = false;
    } else if (vocab_.unk != kNoToken) {
      if (previous_unknown && pipeline_->fuse_unk) {
        symbols.back().end = end;
      } else {
        symbols.push_back({begin, end, vocab_.unk});
      }
      previous_unknown = true;
    }
  }
  const auto merged = merge_pairs(std::move(symbols), [&](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeResult> {
    const auto it = merges_.find(merge_pair_key(static_cast<uint32_t>(l.id), static_cast<uint32_t>(r.id)));
    if (it == merges_.end()) return std::nullopt;
    return MergeResult{static_cast<double>(it->second.first), it->second.second};
  });
  for (const MergeSymbol& s : merged) out.push_back(static_cast<uint32_t>(s.id));
}

std::string Tokenizer::decode_pipeline(std::span<const uint32_t> ids, bool render_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (uint32_t id : ids) {
    check_id(id);
    if (render_special || !is_control(id)) tokens.push_back(vocab_.tokens[id]);
  }
  return utf8_sanitize(pipeline_->decoder.decode(std::move(tokens)));
}

// window_ holds the ids whose text was last returned (the first window_emitted_ of them,
// decoding to window_text_) and those still waiting; text is returned once the decode of the
// window grows past window_text_ and does not end in U+FFFD (an unfinished character).
std::string StreamingDecoder::push_pipeline(uint32_t id) {
  tokenizer_.check_id(id);
  if (window_text_.empty() && !window_.empty()) {
    std::string text = tokenizer_.decode(window_, render_special_);
    if (!ends_with_replacement(text)) {
      window_text_ = std::move(text);
      window_emitted_ = window_.size();
    }
  }
  window_.push_back(id);
  const std::string text = tokenizer_.decode(window_, render_special_);
  if (text.size() <= window_text_.size() || ends_with_replacement(text)) return {};
  std::string grown = text.substr(window_text_.size());
  const size_t kept = window_.size() - window_emitted_;
  window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(window_emitted_));
  window_text_ = tokenizer_.decode(window_, render_special_);
  window_emitted_ = kept;
  return grown;
}

}  // namespace vkmoe
