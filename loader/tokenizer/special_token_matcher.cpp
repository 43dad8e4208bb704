#include "loader/tokenizer/special_token_matcher.h"

#include <algorithm>

#include "loader/tokenizer/unicode_chars.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

// Where the character that ends at `end` (> 0) starts.
size_t char_start_before(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  return start;
}

}  // namespace

void SpecialTokenMatcher::add(std::string text, uint32_t id, AddedTokenFlags flags) {
  if (text.empty()) return;
  auto& bucket = by_first_byte_[static_cast<uint8_t>(text[0])];
  const auto at = std::find_if(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.text.size() < text.size(); });
  bucket.insert(at, Entry{std::move(text), id, flags});
  ++n_entries_;
}

std::vector<SpecialTokenMatcher::Fragment> SpecialTokenMatcher::split(std::string_view text, bool parse_special) const {
  std::vector<Fragment> out;
  size_t plain_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    const Entry* hit = nullptr;
    for (const Entry& e : by_first_byte_[static_cast<uint8_t>(text[pos])]) {
      if (text.compare(pos, e.text.size(), e.text) == 0) {
        hit = &e;
        break;
      }
    }
    if (!hit) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + hit->text.size();
    pos = stop;  // a match passed over still hides the tokens inside it
    if (hit->flags.special && !parse_special) continue;
    if (hit->flags.single_word) {
      const bool word_before = start > 0 && is_word_char(utf8_decode(text, char_start_before(text, start)).cp);
      const bool word_after = stop < text.size() && is_word_char(utf8_decode(text, stop).cp);
      if (word_before || word_after) continue;
    }
    if (hit->flags.lstrip) {
      // The whitespace before the token, though not what an earlier token already took.
      size_t s = start;
      while (s > plain_start) {
        const size_t previous = char_start_before(text, s);
        if (!is_whitespace(utf8_decode(text, previous).cp)) break;
        s = previous;
      }
      start = s;
    }
    if (hit->flags.rstrip) {
      while (stop < text.size()) {
        const Utf8Char c = utf8_decode(text, stop);
        if (!is_whitespace(c.cp)) break;
        stop += c.length;
      }
      pos = stop;
    }
    if (plain_start < start) out.push_back({text.substr(plain_start, start - plain_start), plain_start, 0, false});
    out.push_back({text.substr(start, stop - start), start, hit->id, true});
    plain_start = stop;
  }
  if (plain_start < text.size()) out.push_back({text.substr(plain_start), plain_start, 0, false});
  return out;
}

}  // namespace vkmoe
