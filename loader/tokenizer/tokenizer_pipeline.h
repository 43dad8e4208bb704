#pragma once
// The parts of a Hugging Face tokenizer.json around its model, read once when the file
// is read: normalizer → pre-tokenizer → (model) → post-processor, the decoder for the way
// back, and how each added token is matched. GGUF byte-level vocabularies get one built from
// their tokenizer.ggml.pre family.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "loader/tokenizer/decoder.h"
#include "loader/tokenizer/normalizer.h"
#include "loader/tokenizer/post_processor.h"
#include "loader/tokenizer/pre_tokenizer.h"
#include "loader/tokenizer/special_token_matcher.h"

namespace vkmoe {

struct AddedTokenSpec {
  AddedTokenFlags flags;
  bool normalized = false;  // matched in normalized text, its content normalized too
};

struct TokenizerPipeline {
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  PostProcessor post_processor;
  Decoder decoder;
  bool unigram = false;        // the model is Unigram, not BPE
  std::vector<double> unigram_scores;  // by id, for the model's own pieces (ids 0..size-1)
  bool ignore_merges = false;  // BPE: a word that is itself a token is not merged
  bool fuse_unk = false;       // BPE: consecutive unknown characters become one unknown token
  // Added tokens by id; a control or user-defined token missing here matches as written.
  std::unordered_map<uint32_t, AddedTokenSpec> added;
};

}  // namespace vkmoe
