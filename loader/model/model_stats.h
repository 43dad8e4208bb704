#pragma once
// Size accounting of a ModelSpec for `vkmoe info` and memory planning: parameter counts
// (total, and active per token for a Mixture of Experts) and bytes by tensor type.
#include <cstdint>
#include <map>

#include "loader/model/model_spec.h"

namespace vkmoe {

struct TensorTypeUsage {
  uint32_t tensors = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

struct ModelStats {
  uint64_t total_params = 0;
  // Parameters one token runs through: every dense tensor (shared experts included) plus
  // n_expert_used / n_expert of each stacked routed-expert tensor.
  uint64_t active_params = 0;
  uint64_t expert_params = 0;   // routed experts, all of them
  uint64_t expert_bytes = 0;    // routed experts: what the ExpertStore holds
  uint64_t dense_bytes = 0;     // everything else: always resident
  uint64_t full_load_bytes = 0; // all weights resident at once (no KV cache or scratch)
  std::map<TensorType, TensorTypeUsage> by_type;
};

ModelStats compute_model_stats(const ModelSpec& spec);

}  // namespace vkmoe
