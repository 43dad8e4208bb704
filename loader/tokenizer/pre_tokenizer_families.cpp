#include "loader/tokenizer/pre_tokenizer_families.h"

#include <algorithm>

#include "loader/tokenizer/pre_tokenizer.h"

namespace vkmoe {
namespace {

const char* const kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kO200kRegex =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kDeepseekV3Regex =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Hiragana, katakana and the CJK ideographs U+4E00..U+9FA5, written as the characters.
const char* const kDeepseekV3CjkRegex = "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+";

const std::vector<PreTokenizerFamily>& families() {
  static const std::vector<PreTokenizerFamily> table = {
      {{"gpt-2", "gpt2", "mpt", "olmo", "jais", "trillion", "phi-2"}, {kGpt2PreTokenizerRegex}, false},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "dbrx", "smaug-bpe", "chatglm-bpe"}, {kLlama3Regex}, true},
      {{"qwen2", "stablelm2", "deepseek-r1-qwen", "hunyuan", "megrez"}, {kQwen2Regex}, false},
      {{"gpt-4o", "minimax-m2"}, {kO200kRegex}, true},
      {{"deepseek-v3", "hunyuan-dense"}, {R"(\p{N}{1,3})", kDeepseekV3CjkRegex, kDeepseekV3Regex}, false},
      {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva"}, {R"(\p{N})", kGpt2PreTokenizerRegex}, false},
      // These two are llama.cpp's own regex sets: falcon's tokenizer.json splits with
      // Punctuation and Digits pre-tokenizers instead, and "default" is llama.cpp's fallback
      // for BPE vocabularies that name no pre-tokenizer.
      {{"falcon"}, {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2PreTokenizerRegex, "[0-9][0-9][0-9]"}, false},
      {{"default", ""}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2PreTokenizerRegex, R"(\p{N}+)", "[0-9][0-9][0-9]"}, false},
  };
  return table;
}

// tokenizer.json files write \r and \n either escaped or as the characters themselves.
std::string canonical_regex(const std::string& r) {
  std::string out;
  for (char c : r) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

const PreTokenizerFamily* find_pre_tokenizer_family(const std::string& pre) {
  for (const auto& family : families()) {
    if (std::find(family.names.begin(), family.names.end(), pre) != family.names.end()) return &family;
  }
  return nullptr;
}

std::string pre_tokenizer_family_name(const std::vector<std::string>& regexes) {
  for (const auto& family : families()) {
    if (family.regexes.size() != regexes.size() || family.names.front() == "falcon" || family.names.front() == "default") continue;
    bool same = true;
    for (size_t i = 0; i < regexes.size(); ++i) same = same && canonical_regex(family.regexes[i]) == canonical_regex(regexes[i]);
    if (same) return family.names.front();
  }
  return {};
}

}  // namespace vkmoe
