#pragma once
// A random but valid byte-level BPE vocabulary (GGUF tokenizer model "gpt2", pre-tokenizer
// "qwen2"): the 256 byte tokens in GPT-2's byte alphabet, random merges of letters (a word may
// start with the space character 'Ġ') up to the requested size, then the special tokens.
#include <cstdint>
#include <string>
#include <vector>

namespace vkmoe::synth {

struct SyntheticVocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> token_types;  // GGUF tokenizer.ggml.token_type: 1 normal, 3 control
  std::vector<std::string> merges;   // "left right", in rank order
  uint32_t bos = 0, eos = 0, im_start = 0, im_end = 0;
};

// n_tokens: the model's vocabulary size (at least 256 + the 4 special tokens).
SyntheticVocab make_synthetic_vocab(uint32_t n_tokens, uint64_t seed);

// A ChatML template using <|im_start|> / <|im_end|>.
const char* synthetic_chat_template();

}  // namespace vkmoe::synth
