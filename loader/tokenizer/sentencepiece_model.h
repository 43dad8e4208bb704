#pragma once
// SentencePiece's tokenizer.model (a protobuf ModelProto): its pieces (text, score, type),
// the trainer's special ids and byte_fallback, and the normalizer's add_dummy_prefix.
#include <cstdint>
#include <span>
#include <string>

#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

// `name` is the file name used in error messages.
TokenizerVocab read_sentencepiece_model(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace vkmoe
