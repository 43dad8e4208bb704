#pragma once
// tokenizer.ggml.* metadata → TokenizerVocab.
#include <string>

#include "loader/gguf/gguf_metadata.h"
#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

// An empty vocab when the file has no tokenizer.ggml.model (or "none"). Throws kUnsupported
// for a tokenizer model other than "gpt2" / "llama", kInvalidFile for inconsistent arrays or
// special ids outside the vocabulary.
TokenizerVocab gguf_tokenizer_vocab(const GgufMetadata& metadata, const std::string& path);

}  // namespace vkmoe
