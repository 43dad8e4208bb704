#pragma once
// Hugging Face's tokenizer.json: the model (BPE vocab + merges, or Unigram pieces + scores),
// added tokens, and the normalizer / pre-tokenizer / decoder / post-processor settings that
// decide whether it is a byte-level BPE (and which regex family) or a SentencePiece-style
// vocabulary (▁ for spaces, byte fallback).
#include <string>

#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

// `text` is the file's content; `name` is used in error messages.
TokenizerVocab read_hf_tokenizer_json(const std::string& text, const std::string& name);

}  // namespace vkmoe
