#include "engine/experts/expert_placement.h"

#include <sstream>

#include "engine/experts/expert_store.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

std::string gib(uint64_t bytes) {
  std::ostringstream s;
  s.precision(2);
  if (bytes < (uint64_t(1) << 30)) {
    s << std::fixed << double(bytes) / double(uint64_t(1) << 20) << " MiB";
  } else {
    s << std::fixed << double(bytes) / double(uint64_t(1) << 30) << " GiB";
  }
  return s.str();
}

}  // namespace

bool is_streamed_expert_tensor(const std::string& name) {
  return name.starts_with("blk.") && (name.ends_with(".ffn_gate_exps.weight") || name.ends_with(".ffn_up_exps.weight") ||
                                      name.ends_with(".ffn_down_exps.weight"));
}

std::string ExpertPlacement::describe() const {
  std::ostringstream s;
  if (!streaming) {
    s << "experts: all " << total_experts << " resident (" << gib(expert_bytes) << ")";
  } else {
    s << "experts: streaming through " << n_slots << " of " << total_experts << " slots (" << gib(uint64_t(n_slots) * slot_bytes)
      << " of " << gib(expert_bytes) << ")";
  }
  if (budget_bytes > 0) {
    s << "; VRAM budget " << gib(budget_bytes) << " = dense " << gib(dense_bytes) << " + KV/scratch " << gib(reserve_bytes)
      << " + experts";
  }
  return s.str();
}

ExpertPlacement place_experts(const ModelSpec& spec, uint64_t free_vram, uint64_t reserve_bytes, const ExpertOptions& options) {
  const ModelConfig& c = spec.config;
  ExpertPlacement p;
  p.reserve_bytes = reserve_bytes;
  for (const auto& [name, t] : spec.tensors) (is_streamed_expert_tensor(name) ? p.expert_bytes : p.dense_bytes) += t.bytes;
  for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
    if (spec.tensors.contains(expert_tensor_name(layer, ExpertMatrix::kGate))) p.total_experts += c.n_expert;
  }
  if (p.total_experts == 0) {
    if (options.expert_slots > 0) throw Error(ErrorCode::kInvalidArgument, spec.path + " has no experts to stream (--expert-slots)");
    return p;
  }
  const auto strides = expert_slot_strides(c, [&](const std::string& name) -> uint64_t {
    auto it = spec.tensors.find(name);
    return it == spec.tensors.end() ? 0 : it->second.bytes / std::max<uint64_t>(it->second.ne[2], 1);
  });
  for (uint64_t s : strides) p.slot_bytes += s;

  auto too_few = [&](uint64_t slots, const std::string& why) {
    return Error(ErrorCode::kOutOfMemory, spec.path + ": " + why + " leaves room for " + std::to_string(slots) +
                                              " expert slots of " + gib(p.slot_bytes) + "; one layer's top-" +
                                              std::to_string(c.n_expert_used) + " routing needs at least " +
                                              std::to_string(c.n_expert_used));
  };
  if (options.expert_slots > 0) {
    if (options.expert_slots < c.n_expert_used) throw too_few(options.expert_slots, "--expert-slots");
    p.streaming = true;
    p.n_slots = std::min(options.expert_slots, p.total_experts);
    return p;
  }
  const VramBudget& b = options.vram_budget;
  p.budget_bytes = b.bytes > 0 ? b.bytes : static_cast<uint64_t>(double(free_vram) * (b.fraction > 0 ? b.fraction : 1.0));
  if (p.dense_bytes + p.reserve_bytes > p.budget_bytes) {
    throw Error(ErrorCode::kOutOfMemory, spec.path + ": the dense weights (" + gib(p.dense_bytes) + ") and KV cache + scratch (" +
                                             gib(p.reserve_bytes) + ") alone exceed the VRAM budget of " + gib(p.budget_bytes));
  }
  const uint64_t left = p.budget_bytes - p.dense_bytes - p.reserve_bytes;
  if (p.expert_bytes <= left) return p;
  const uint64_t slots = left / p.slot_bytes;
  if (slots < c.n_expert_used) throw too_few(slots, "the VRAM budget of " + gib(p.budget_bytes));
  p.streaming = true;
  p.n_slots = static_cast<uint32_t>(std::min<uint64_t>(slots, p.total_experts));
  return p;
}

}  // namespace vkmoe
