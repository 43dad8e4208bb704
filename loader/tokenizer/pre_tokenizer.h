#pragma once
// The pre-tokenizer of a byte-level BPE vocabulary: the regex split that decides which
// pieces of text BPE merges may never cross. Selected by GGUF's tokenizer.ggml.pre name
// ("gpt-2", "llama-bpe", "qwen2", "deepseek-v3", "gpt-4o", ...), as llama.cpp names them.
#include <string>
#include <string_view>
#include <vector>

#include "loader/tokenizer/pre_tokenizer_patterns.h"

namespace vkmoe {

class PreTokenizer {
 public:
  // Throws Error(kUnsupported) naming `pre` when vkmoe does not know it; "" means "default".
  explicit PreTokenizer(const std::string& pre);

  // Consecutive pieces covering `text` (valid UTF-8) exactly; views into `text`.
  std::vector<std::string_view> split(std::string_view text) const;
  // Whether a piece that is itself a token skips merging (tiktoken's rule, used by the
  // Llama 3 and o200k families).
  bool ignore_merges() const { return ignore_merges_; }

 private:
  std::vector<PrePattern> patterns_;  // applied in order, each to every piece of the last
  bool ignore_merges_ = false;
};

// The regex of Hugging Face's ByteLevel pre-tokenizer when its use_regex is on (GPT-2's).
extern const char* const kGpt2PreTokenizerRegex;

// The tokenizer.ggml.pre name whose regexes are exactly `regexes` (Hugging Face Split
// pre-tokenizer patterns, in order); empty when none matches.
std::string pre_tokenizer_name_for_regexes(const std::vector<std::string>& regexes);

}  // namespace vkmoe
