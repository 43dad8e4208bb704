#include "loader/model/model_config.h"

namespace vkmoe {

const char* architecture_name(Architecture arch) {
  switch (arch) {
    case Architecture::kLlama: return "llama";
    case Architecture::kQwen2: return "qwen2";
    case Architecture::kQwen2Moe: return "qwen2moe";
    case Architecture::kQwen3: return "qwen3";
    case Architecture::kQwen3Moe: return "qwen3moe";
    case Architecture::kOlmoe: return "olmoe";
    case Architecture::kDeepseek2: return "deepseek2";
    case Architecture::kGptOss: return "gpt-oss";
  }
  return "unknown";
}

}  // namespace vkmoe
