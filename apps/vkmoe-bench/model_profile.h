#pragma once
// What the benchmark reports about a model, computed from its ModelSpec alone (no GPU).
#include <cstdint>
#include <string>

#include "loader/model/model_spec.h"

namespace vkmoe::bench {

struct ModelProfile {
  std::string file_name;         // last component of the path
  std::string arch;              // GGUF architecture name, e.g. "qwen3moe"
  uint64_t weight_bytes = 0;     // all tensors, as stored
  uint64_t params_total = 0;
  uint64_t params_active = 0;    // per token: dense + top-k of n_expert of the experts
  std::string weight_type;       // the type holding the most matmul weight elements
  // Weight bytes one decode step must read: every dense tensor, n_expert_used / n_expert of
  // each stacked expert tensor, and one row of token_embd (all of it when it is also lm_head).
  double active_bytes_per_token = 0;
};

ModelProfile profile_model(const ModelSpec& spec);

}  // namespace vkmoe::bench
