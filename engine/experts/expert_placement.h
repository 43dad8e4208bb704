#pragma once
// Where a model's experts go. Dense weights, the KV cache and scratch come first; if every
// expert fits in what the VRAM budget leaves, all stay resident (no streaming, one command
// buffer per step); otherwise the experts stream through as many slots as fit. A budget too
// small for the dense part, or for the top-k experts of one layer, is refused with the numbers.
#include <cstdint>
#include <string>

#include "engine/experts/expert_options.h"
#include "loader/model/model_spec.h"

namespace vkmoe {

struct ExpertPlacement {
  bool streaming = false;
  uint32_t n_slots = 0;         // when streaming
  uint64_t budget_bytes = 0;    // the resolved budget; 0 when expert_slots was given
  uint64_t dense_bytes = 0;     // every tensor but the stacked experts
  uint64_t expert_bytes = 0;    // every stacked expert tensor
  uint64_t reserve_bytes = 0;   // KV cache and scratch of the planned session
  uint64_t slot_bytes = 0;
  uint32_t total_experts = 0;   // MoE layers × experts per layer

  std::string describe() const;  // one line for logs and `vkmoe run --stats`
};

// True for the stacked expert tensors that stream ("blk.N.ffn_{gate,up,down}_exps.weight").
bool is_streamed_expert_tensor(const std::string& name);

// `free_vram`: device-local bytes free now (vk::free_device_local_bytes).
ExpertPlacement place_experts(const ModelSpec& spec, uint64_t free_vram, uint64_t reserve_bytes,
                              const ExpertOptions& options);

}  // namespace vkmoe
