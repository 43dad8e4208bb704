#include "loader/tokenizer/pre_tokenizer.h"

#include <algorithm>

#include "loader/base/error.h"
#include "loader/tokenizer/char_class.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {

const char* const kGpt2PreTokenizerRegex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

struct PreFamily {
  std::vector<std::string> names;     // GGUF tokenizer.ggml.pre values
  std::vector<PrePattern> patterns;
  std::vector<std::string> regexes;   // the same patterns as tokenizer.json writes them
  bool ignore_merges;
};

const std::vector<PreFamily>& families() {
  static const std::vector<PreFamily> table = {
      {{"gpt-2", "gpt2", "mpt", "olmo", "jais", "trillion", "phi-2"}, {PrePattern::kGpt2}, {kGpt2PreTokenizerRegex}, false},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "dbrx", "smaug-bpe", "chatglm-bpe"},
       {PrePattern::kLlama3},
       {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
       true},
      {{"qwen2", "stablelm2", "deepseek-r1-qwen", "hunyuan", "megrez"},
       {PrePattern::kQwen2},
       {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
       false},
      {{"gpt-4o", "minimax-m2"},
       {PrePattern::kO200k},
       {R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
       true},
      {{"deepseek-v3", "hunyuan-dense"},
       {PrePattern::kNumberUpTo3, PrePattern::kDeepseekV3Cjk, PrePattern::kDeepseekV3Main},
       {R"(\p{N}{1,3})", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
        R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
       false},
      {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva"},
       {PrePattern::kSingleNumber, PrePattern::kGpt2},
       {R"(\p{N})", kGpt2PreTokenizerRegex},
       false},
      {{"falcon"}, {PrePattern::kPunctRunBacktick, PrePattern::kGpt2, PrePattern::kAsciiDigitTriple}, {}, false},
      // llama.cpp's fallback for BPE vocabularies without a known pre-tokenizer.
      {{"default", ""},
       {PrePattern::kPunctRun, PrePattern::kGpt2, PrePattern::kNumberRun, PrePattern::kAsciiDigitTriple},
       {},
       false},
  };
  return table;
}

// tokenizer.json files write \r and \n either escaped or as the characters themselves.
std::string canonical_regex(std::string r) {
  std::string out;
  for (char c : r) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

struct Piece {
  size_t begin, end;  // code point indices
};

}  // namespace

PreTokenizer::PreTokenizer(const std::string& pre) {
  for (const auto& family : families()) {
    if (std::find(family.names.begin(), family.names.end(), pre) == family.names.end()) continue;
    patterns_ = family.patterns;
    ignore_merges_ = family.ignore_merges;
    return;
  }
  throw Error(ErrorCode::kUnsupported, "tokenizer: pre-tokenizer '" + pre + "' is not supported");
}

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  // Code points, their char_class bits, and byte offsets (offsets[i] is where cps[i] starts).
  std::vector<char32_t> cps;
  std::vector<uint16_t> classes;
  std::vector<size_t> offsets;
  cps.reserve(text.size());
  offsets.reserve(text.size() + 1);
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    cps.push_back(c.cp);
    offsets.push_back(pos);
    pos += c.length;
  }
  offsets.push_back(text.size());
  classes.resize(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) classes[i] = classify_char(cps[i]);

  std::vector<Piece> pieces;
  if (!cps.empty()) pieces.push_back({0, cps.size()});
  std::vector<Piece> next;
  for (PrePattern pattern : patterns_) {
    next.clear();
    for (const Piece& piece : pieces) {
      // Isolated split: every match is a piece, and so is every stretch between matches.
      size_t gap = piece.begin;
      for (size_t pos = piece.begin; pos < piece.end;) {
        const size_t n = match_pre_pattern(pattern, cps.data(), classes.data(), pos, piece.end);
        if (n == 0) {
          ++pos;
          continue;
        }
        if (gap < pos) next.push_back({gap, pos});
        next.push_back({pos, pos + n});
        pos += n;
        gap = pos;
      }
      if (gap < piece.end) next.push_back({gap, piece.end});
    }
    pieces.swap(next);
  }

  std::vector<std::string_view> out;
  out.reserve(pieces.size());
  for (const Piece& p : pieces) out.push_back(text.substr(offsets[p.begin], offsets[p.end] - offsets[p.begin]));
  return out;
}

std::string pre_tokenizer_name_for_regexes(const std::vector<std::string>& regexes) {
  std::vector<std::string> wanted;
  for (const auto& r : regexes) wanted.push_back(canonical_regex(r));
  for (const auto& family : families()) {
    if (family.regexes.empty() || family.regexes.size() != wanted.size()) continue;
    bool same = true;
    for (size_t i = 0; i < wanted.size(); ++i) same = same && canonical_regex(family.regexes[i]) == wanted[i];
    if (same) return family.names.front();
  }
  return {};
}

}  // namespace vkmoe
