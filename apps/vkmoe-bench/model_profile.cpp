#include "apps/vkmoe-bench/model_profile.h"

#include <filesystem>
#include <map>

#include "loader/model/model_stats.h"

namespace vkmoe::bench {
namespace {

bool is_matmul_weight(const std::string& name, const TensorData& t) {
  return t.n_dims >= 2 && !name.ends_with(".bias") && name != "token_embd.weight";
}

std::string dominant_matmul_type(const ModelSpec& spec) {
  std::map<TensorType, uint64_t> elements;
  for (const auto& [name, t] : spec.tensors) {
    if (is_matmul_weight(name, t)) elements[t.type] += t.n_elements();
  }
  const std::pair<const TensorType, uint64_t>* best = nullptr;
  for (const auto& entry : elements) {
    if (best == nullptr || entry.second > best->second) best = &entry;
  }
  return best == nullptr ? "-" : std::string(tensor_type_info(best->first).name);
}

double active_bytes(const ModelSpec& spec) {
  const ModelConfig& c = spec.config;
  bool embedding_is_head = spec.find("output.weight") == nullptr;
  double bytes = 0;
  for (const auto& [name, t] : spec.tensors) {
    double b = static_cast<double>(t.bytes);
    if (t.is_stacked() && c.n_expert > 0) {
      bytes += b * c.n_expert_used / c.n_expert;
    } else if (name == "token_embd.weight" && !embedding_is_head && t.ne[1] > 0) {
      bytes += b / static_cast<double>(t.ne[1]);  // the gather reads one row of (n_vocab, n_embd)
    } else {
      bytes += b;
    }
  }
  return bytes;
}

}  // namespace

ModelProfile profile_model(const ModelSpec& spec) {
  ModelStats stats = compute_model_stats(spec);
  ModelProfile p;
  std::filesystem::path path(spec.path);
  p.file_name = path.has_filename() ? path.filename().string() : path.parent_path().filename().string();
  p.arch = spec.config.arch_name.empty() ? architecture_name(spec.config.arch) : spec.config.arch_name;
  p.weight_bytes = stats.full_load_bytes;
  p.params_total = stats.total_params;
  p.params_active = stats.active_params;
  p.weight_type = dominant_matmul_type(spec);
  p.active_bytes_per_token = active_bytes(spec);
  return p;
}

}  // namespace vkmoe::bench
