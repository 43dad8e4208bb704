#pragma once
// Tokenizer data from a Hugging Face folder: tokenizer.json (or tokenizer.model), plus
// tokenizer_config.json for special tokens and the chat template (or chat_template.jinja).
// A tokenizer-only folder, with no config.json or weights, is enough.
#include <string>

#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

TokenizerVocab read_tokenizer_folder(const std::string& dir);
// Empty when the folder has no template.
std::string read_chat_template(const std::string& dir);

}  // namespace vkmoe
