#include "loader/model/model_stats.h"

namespace vkmoe {

ModelStats compute_model_stats(const ModelSpec& spec) {
  ModelStats s;
  const ModelConfig& c = spec.config;
  for (const auto& [name, t] : spec.tensors) {
    uint64_t n = t.n_elements();
    TensorTypeUsage& u = s.by_type[t.type];
    ++u.tensors;
    u.elements += n;
    u.bytes += t.bytes;
    s.total_params += n;
    s.full_load_bytes += t.bytes;
    if (t.is_stacked() && c.n_expert > 0) {
      s.expert_params += n;
      s.expert_bytes += t.bytes;
      s.active_params += n / c.n_expert * c.n_expert_used;
    } else {
      s.dense_bytes += t.bytes;
      s.active_params += n;
    }
  }
  return s;
}

}  // namespace vkmoe
