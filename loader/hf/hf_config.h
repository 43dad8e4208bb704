#pragma once
// config.json (+ generation_config.json) of a Hugging Face folder → ModelConfig, for
// model_type mixtral, llama, qwen2, qwen2_moe, qwen3, qwen3_moe, olmoe, deepseek_v2,
// deepseek_v3 and gpt_oss. Rope style is kNeox (Hugging Face q/k rows are not permuted)
// except DeepSeek's interleaved rope, which rotates adjacent pairs (kNormal).
#include <string>

#include "loader/model/model_config.h"

namespace vkmoe {

ModelConfig read_hf_config(const std::string& dir);

}  // namespace vkmoe
