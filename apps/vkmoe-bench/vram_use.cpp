#include "apps/vkmoe-bench/vram_use.h"

#include <cstdio>

namespace vkmoe::bench {

VramUse vram_use_of(const Model& model) {
  const ExpertPlacement& p = model.placement();
  VramUse v;
  v.streaming = p.streaming;
  v.total_experts = p.total_experts;
  v.weights_bytes = model.weights().device_bytes();
  v.reserve_bytes = p.reserve_bytes;
  if (const ExpertStore* store = model.experts()) {
    v.expert_slots = store->n_slots();
    v.expert_pool_bytes = store->pool_bytes();
  }
  if (!v.streaming) {
    v.budget = "full";
    return v;
  }
  char text[96];
  if (p.budget_bytes > 0) {
    const bool gib = p.budget_bytes >= (1ull << 30);
    std::snprintf(text, sizeof text, "%.1f %s (%u/%u slots)", double(p.budget_bytes) / double(gib ? 1ull << 30 : 1ull << 20),
                  gib ? "GiB" : "MiB", v.expert_slots, v.total_experts);
  } else {
    std::snprintf(text, sizeof text, "%u/%u slots", v.expert_slots, v.total_experts);
  }
  v.budget = text;
  return v;
}

}  // namespace vkmoe::bench
