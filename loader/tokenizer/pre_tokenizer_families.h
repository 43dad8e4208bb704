#pragma once
// The byte-level BPE families GGUF names in tokenizer.ggml.pre ("gpt-2", "llama-bpe",
// "qwen2", "deepseek-v3", "gpt-4o", ... as llama.cpp names them) and the Split regexes their
// Hugging Face tokenizer.json files write, so a GGUF vocabulary runs the same pre-tokenizer
// as its tokenizer.json.
#include <string>
#include <vector>

namespace vkmoe {

struct PreTokenizerFamily {
  std::vector<std::string> names;    // tokenizer.ggml.pre values; the first is the canonical one
  std::vector<std::string> regexes;  // Isolated splits in order
  bool ignore_merges;                // a word that is itself a token skips merging (tiktoken's rule)
};

// The family called `pre` ("" means llama.cpp's default); nullptr when vkmoe does not know it.
const PreTokenizerFamily* find_pre_tokenizer_family(const std::string& pre);
// The canonical name of the family whose regexes are exactly `regexes`; empty when none is.
std::string pre_tokenizer_family_name(const std::vector<std::string>& regexes);

}  // namespace vkmoe
