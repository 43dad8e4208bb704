#pragma once
#include <string>

#include "loader/model/model_spec.h"

namespace vkmoe {

// A Hugging Face model folder: config.json, *.safetensors (or an index), tokenizer files.
ModelSpec load_hf_model_spec(const std::string& dir);

// The same without the tokenizer and chat template (vocab and chat_template left empty):
// config.json, generation_config.json and the weights only.
ModelSpec load_hf_weights(const std::string& dir);

}  // namespace vkmoe
