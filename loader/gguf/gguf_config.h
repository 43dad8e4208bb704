#pragma once
// GGUF metadata (`<arch>.*` keys) and tensor shapes → ModelConfig.
#include "loader/gguf/gguf_file.h"
#include "loader/model/model_config.h"

namespace vkmoe {

// Throws kUnsupported for an architecture or setting vkmoe does not run, kNotFound for a
// missing required key, kInvalidFile for inconsistent values. Leaves bos/eos to the tokenizer.
ModelConfig gguf_model_config(const GgufFile& file);

}  // namespace vkmoe
