#pragma once
// Where a loaded model's VRAM goes, as its expert placement planned it: the device-resident
// weights (dense, plus the experts when all are resident), the expert slots' pool when experts
// stream, and the KV cache + scratch the placement reserved for the benchmark's sessions.
#include <cstdint>
#include <string>

#include "engine/model/model.h"

namespace vkmoe::bench {

struct VramUse {
  std::string budget;           // "full" when every expert is resident, else "12.0 GiB (96/256 slots)"
                                // (the resolved budget) or "96/256 slots" (given as --expert-slots)
  bool streaming = false;
  uint32_t expert_slots = 0;    // 0 when resident
  uint32_t total_experts = 0;   // MoE layers × experts per layer
  uint64_t weights_bytes = 0;   // ModelWeights::device_bytes()
  uint64_t expert_pool_bytes = 0;
  uint64_t reserve_bytes = 0;   // ExpertPlacement::reserve_bytes

  uint64_t total() const { return weights_bytes + expert_pool_bytes + reserve_bytes; }
};

VramUse vram_use_of(const Model& model);

}  // namespace vkmoe::bench
