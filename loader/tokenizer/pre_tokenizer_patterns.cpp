#include "loader/tokenizer/pre_tokenizer_patterns.h"

#include <initializer_list>

#include "loader/tokenizer/char_class.h"

namespace vkmoe {
namespace {

using namespace char_class;

constexpr size_t kNoMatch = SIZE_MAX;

struct Text {
  const char32_t* cps;
  const uint16_t* classes;
  size_t end;

  bool has(size_t i, uint16_t bits) const { return i < end && (classes[i] & bits) != 0; }
  bool lacks(size_t i, uint16_t bits) const { return i < end && (classes[i] & bits) == 0; }
  bool is(size_t i, char32_t c) const { return i < end && cps[i] == c; }
  bool is_newline(size_t i) const { return is(i, '\r') || is(i, '\n'); }
  bool is_ascii_letter(size_t i) const {
    return i < end && ((cps[i] >= 'a' && cps[i] <= 'z') || (cps[i] >= 'A' && cps[i] <= 'Z'));
  }
  size_t run(size_t i, uint16_t bits) const {
    while (has(i, bits)) ++i;
    return i;
  }
  size_t run_without(size_t i, uint16_t bits) const {
    while (lacks(i, bits)) ++i;
    return i;
  }
  size_t skip_newlines(size_t i) const {
    while (is_newline(i)) ++i;
    return i;
  }
};

char32_t lower_ascii(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// 's|'t|'re|'ve|'m|'ll|'d, optionally case-insensitive: the length matched (0, 2 or 3).
size_t contraction(const Text& t, size_t pos, bool ignore_case) {
  if (!t.is(pos, '\'') || pos + 1 >= t.end) return 0;
  const auto at = [&](size_t i) { return i < t.end ? (ignore_case ? lower_ascii(t.cps[i]) : t.cps[i]) : 0; };
  const char32_t a = at(pos + 1), b = at(pos + 2);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

// [\s*[\r\n]+|] \s+(?!\S)|\s+ : the whitespace alternatives that close most patterns.
size_t space_tail(const Text& t, size_t pos, bool newline_alternative) {
  if (!t.has(pos, kSpace)) return 0;
  const size_t q = t.run(pos, kSpace);
  if (newline_alternative) {
    // Greedy \s* gives back characters until [\r\n]+ can start: at the run's last newline.
    for (size_t k = q; k > pos; --k) {
      if (t.is_newline(k - 1)) return k - pos;
    }
  }
  if (q == t.end) return q - pos;     // (?!\S) holds at the end of the piece
  if (q - pos >= 2) return q - pos - 1;  // leave the last space to prefix the next word
  return 1;                           // \s+
}

size_t match_gpt2(const Text& t, size_t pos) {
  if (size_t n = contraction(t, pos, false)) return n;
  const size_t p = t.is(pos, ' ') ? pos + 1 : pos;
  if (t.has(p, kLetter)) return t.run(p, kLetter) - pos;
  if (t.has(p, kNumber)) return t.run(p, kNumber) - pos;
  if (t.lacks(p, kSpace | kLetter | kNumber)) return t.run_without(p, kSpace | kLetter | kNumber) - pos;
  return space_tail(t, pos, false);
}

size_t match_llama3_like(const Text& t, size_t pos, size_t max_digits) {
  if (size_t n = contraction(t, pos, true)) return n;
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (!t.is_newline(pos) && t.lacks(pos, kLetter | kNumber) && t.has(pos + 1, kLetter)) {
    return t.run(pos + 1, kLetter) - pos;
  }
  if (t.has(pos, kLetter)) return t.run(pos, kLetter) - pos;
  if (t.has(pos, kNumber)) {
    size_t q = pos;
    while (q - pos < max_digits && t.has(q, kNumber)) ++q;
    return q - pos;
  }
  // ?[^\s\p{L}\p{N}]+[\r\n]*
  const size_t p = t.is(pos, ' ') ? pos + 1 : pos;
  if (t.lacks(p, kSpace | kLetter | kNumber)) return t.skip_newlines(t.run_without(p, kSpace | kLetter | kNumber)) - pos;
  return space_tail(t, pos, true);
}

constexpr uint16_t kUpperish = kUpper | kTitle | kModifier | kOtherLetter | kMark;  // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
constexpr uint16_t kLowerish = kLower | kModifier | kOtherLetter | kMark;          // [\p{Ll}\p{Lm}\p{Lo}\p{M}]

// [\p{Lu}..]*[\p{Ll}..]+ from p: the end, or kNoMatch. The classes overlap (Lm, Lo, M), so
// when no lower-ish character follows the upper-ish run, the star gives back characters
// until the last lower-ish one of the run can form the plus.
size_t upper_star_lower_plus(const Text& t, size_t p) {
  const size_t q = t.run(p, kUpperish);
  if (t.has(q, kLowerish)) return t.run(q, kLowerish);
  for (size_t k = q; k > p; --k) {
    if (t.classes[k - 1] & kLowerish) return k;
  }
  return kNoMatch;
}

// [\p{Lu}..]+[\p{Ll}..]* from p: the end, or kNoMatch.
size_t upper_plus_lower_star(const Text& t, size_t p) {
  const size_t q = t.run(p, kUpperish);
  return q == p ? kNoMatch : t.run(q, kLowerish);
}

size_t match_o200k(const Text& t, size_t pos) {
  const bool prefix_ok = pos < t.end && !t.is_newline(pos) && t.lacks(pos, kLetter | kNumber);
  using Core = size_t (*)(const Text&, size_t);
  for (Core core : {Core{upper_star_lower_plus}, Core{upper_plus_lower_star}}) {
    size_t e = prefix_ok ? core(t, pos + 1) : kNoMatch;
    if (e == kNoMatch) e = core(t, pos);
    if (e != kNoMatch) return e + contraction(t, e, true) - pos;
  }
  if (t.has(pos, kNumber)) {
    size_t q = pos;
    while (q - pos < 3 && t.has(q, kNumber)) ++q;
    return q - pos;
  }
  // ?[^\s\p{L}\p{N}]+[\r\n/]*
  const size_t p = t.is(pos, ' ') ? pos + 1 : pos;
  if (t.lacks(p, kSpace | kLetter | kNumber)) {
    size_t q = t.run_without(p, kSpace | kLetter | kNumber);
    while (t.is_newline(q) || t.is(q, '/')) ++q;
    return q - pos;
  }
  return space_tail(t, pos, true);
}

bool is_ascii_punct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

size_t match_deepseek_v3(const Text& t, size_t pos) {
  if (is_ascii_punct(t.cps[pos]) && t.is_ascii_letter(pos + 1)) {
    size_t q = pos + 1;
    while (t.is_ascii_letter(q)) ++q;
    return q - pos;
  }
  // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
  if (!t.is_newline(pos) && t.lacks(pos, kLetter | kPunct | kSymbol) && t.has(pos + 1, kLetter | kMark)) {
    return t.run(pos + 1, kLetter | kMark) - pos;
  }
  if (t.has(pos, kLetter | kMark)) return t.run(pos, kLetter | kMark) - pos;
  // ?[\p{P}\p{S}]+[\r\n]*
  const size_t p = t.is(pos, ' ') ? pos + 1 : pos;
  if (t.has(p, kPunct | kSymbol)) return t.skip_newlines(t.run(p, kPunct | kSymbol)) - pos;
  return space_tail(t, pos, true);
}

bool is_deepseek_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
}

bool is_punct_run_char(const Text& t, size_t i, bool backtick) {
  if (i >= t.end) return false;
  const char32_t c = t.cps[i];
  return (t.classes[i] & kPunct) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' ||
         c == '~' || c == '|' || (backtick && c == '`');
}

}  // namespace

size_t match_pre_pattern(PrePattern pattern, const char32_t* cps, const uint16_t* classes, size_t pos, size_t end) {
  const Text t{cps, classes, end};
  switch (pattern) {
    case PrePattern::kGpt2: return match_gpt2(t, pos);
    case PrePattern::kLlama3: return match_llama3_like(t, pos, 3);
    case PrePattern::kQwen2: return match_llama3_like(t, pos, 1);
    case PrePattern::kO200k: return match_o200k(t, pos);
    case PrePattern::kDeepseekV3Main: return match_deepseek_v3(t, pos);
    case PrePattern::kDeepseekV3Cjk: {
      size_t q = pos;
      while (q < end && is_deepseek_cjk(cps[q])) ++q;
      return q - pos;
    }
    case PrePattern::kNumberUpTo3: {
      size_t q = pos;
      while (q - pos < 3 && t.has(q, kNumber)) ++q;
      return q - pos;
    }
    case PrePattern::kSingleNumber: return t.has(pos, kNumber) ? 1 : 0;
    case PrePattern::kNumberRun: return t.run(pos, kNumber) - pos;
    case PrePattern::kAsciiDigitTriple: {
      const auto digit = [&](size_t i) { return i < end && cps[i] >= '0' && cps[i] <= '9'; };
      return digit(pos) && digit(pos + 1) && digit(pos + 2) ? 3 : 0;
    }
    case PrePattern::kPunctRun:
    case PrePattern::kPunctRunBacktick: {
      const bool backtick = pattern == PrePattern::kPunctRunBacktick;
      size_t q = pos;
      while (is_punct_run_char(t, q, backtick)) ++q;
      return q - pos;
    }
  }
  return 0;
}

}  // namespace vkmoe
