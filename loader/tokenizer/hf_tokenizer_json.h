#pragma once
// Hugging Face's tokenizer.json: the BPE model (vocab, merges, byte_fallback, unk_token,
// fuse_unk, ignore_merges), added tokens with their flags, and the normalizer, pre-tokenizer,
// post-processor and decoder, read into a TokenizerPipeline. Every component is checked here:
// one vkmoe does not implement (a Unigram or WordPiece model, BPE dropout, a Precompiled
// normalizer, ...) is refused with Error(kUnsupported) naming it and its JSON path.
#include <string>

#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

// `text` is the file's content; `name` is used in error messages.
TokenizerVocab read_hf_tokenizer_json(const std::string& text, const std::string& name);

}  // namespace vkmoe
