#pragma once
// The Unicode character properties and transformations that tokenizer.json components use,
// answered by utf8proc (general categories, case mapping, normalization forms) so vkmoe
// carries no Unicode tables of its own. Each predicate names the Rust function of Hugging
// Face's tokenizers whose meaning it has.
#include <string>
#include <string_view>

namespace vkmoe {

bool is_whitespace(char32_t c);    // char::is_whitespace: the White_Space property
bool is_numeric(char32_t c);       // char::is_numeric: N (Nd, Nl, No)
bool is_punctuation(char32_t c);   // ASCII punctuation or P (Pc, Pd, Ps, Pe, Pi, Pf, Po)
bool is_mark(char32_t c);          // a combining mark: M (Mn, Mc, Me)
bool is_nonspacing_mark(char32_t c);  // Mn
bool is_other(char32_t c);         // C: Cc, Cf, Cs, Co, Cn
bool is_word_char(char32_t c);     // a regex \w: L, M, Nd or Pc

// char::to_lowercase of every character of `text` (valid UTF-8).
std::string to_lowercase(std::string_view text);

enum class UnicodeForm { kNfc, kNfd, kNfkc, kNfkd };
// `text` (valid UTF-8) in normalization form `form`.
std::string normalize_unicode(std::string_view text, UnicodeForm form);

}  // namespace vkmoe
