#pragma once
// Hand-written matchers, one per pre-tokenizer regex that vkmoe knows, each reproducing
// the regex's leftmost-alternative, greedy-with-backtracking semantics exactly (std::regex
// has no \p{..} classes). A matcher looks at code points [pos, end) only: lookaheads such as
// \s+(?!\S) see the end of the current piece as the end of the text, as in Hugging Face's
// sequential Split pre-tokenizers and llama.cpp's regex split.
#include <cstddef>
#include <cstdint>

namespace vkmoe {

enum class PrePattern {
  kGpt2,              // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kLlama3,            // (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kQwen2,             // as kLlama3 with \p{N} instead of \p{N}{1,3}
  kO200k,             // gpt-4o / gpt-oss: case-aware letter runs with optional contraction suffix
  kDeepseekV3Main,    // [ASCII punct][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kDeepseekV3Cjk,     // [\x{4e00}-\x{9fa5}\x{3040}-\x{309f}\x{30a0}-\x{30ff}]+
  kNumberUpTo3,       // \p{N}{1,3}
  kSingleNumber,      // \p{N}
  kNumberRun,         // \p{N}+
  kAsciiDigitTriple,  // [0-9][0-9][0-9]
  kPunctRun,          // [\p{P}\$\+<=>\^~\|]+
  kPunctRunBacktick,  // [\p{P}\$\+<=>\^~\|`]+
};

// cps and classes (char_class bits) are parallel arrays; 0 <= pos < end.
// Returns the length of the match starting at pos, 0 when the pattern does not match there.
size_t match_pre_pattern(PrePattern pattern, const char32_t* cps, const uint16_t* classes, size_t pos, size_t end);

}  // namespace vkmoe
