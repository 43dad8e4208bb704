#pragma once
// Where each Hugging Face tensor goes among GGUF's canonical names. Most map one to one
// (same bytes: HF's [out, in] row-major is GGUF's ne = {in, out}); per-expert tensors are
// gathered into one stacked tensor; a few need converting (see hf_tensor_conversions.h).
#include <cstdint>
#include <string>

#include "loader/model/model_config.h"

namespace vkmoe {

struct HfTensorTarget {
  enum class Kind {
    kDirect,            // same bytes under gguf_name
    kExpert,            // expert `expert`'s slice of the stacked gguf_name
    kMlaKvB,            // DeepSeek kv_b_proj → attn_k_b + attn_v_b
    kGptOssGateUp,      // gpt-oss fused gate_up_proj (interleaved columns) → ffn_gate_exps + ffn_up_exps
    kGptOssGateUpBias,  // its bias → ffn_gate_exps.bias + ffn_up_exps.bias
    kGptOssDown,        // gpt-oss down_proj [E, ff, out] → ffn_down_exps
    kIgnored,           // not part of the forward pass (rotary caches, DeepSeek's next-token-prediction layers)
    kUnknown,
  };
  Kind kind = Kind::kUnknown;
  std::string gguf_name;
  uint32_t layer = 0;
  uint32_t expert = 0;
};

HfTensorTarget classify_hf_tensor(const std::string& hf_name, const ModelConfig& config);

}  // namespace vkmoe
