#pragma once
// How a model's experts are placed: all in VRAM, or streamed through a pool of VRAM slots
// from host memory (engine/experts/expert_store.h), and how that pool is run.
#include <cstdint>
#include <string>

namespace vkmoe {

enum class ExpertPolicy { kLru, kLfu };
const char* expert_policy_name(ExpertPolicy policy);
ExpertPolicy parse_expert_policy(const std::string& text);  // "lru" | "lfu"; throws kInvalidArgument

// A VRAM budget: bytes, or a fraction of the device-local memory free at load time.
struct VramBudget {
  uint64_t bytes = 0;
  double fraction = 0.0;  // used when bytes == 0; 0 and 0: the whole free budget
};
// "512MiB", "6GiB", "1.5GB", "123456" (bytes), "0.5" or "50%" (of free VRAM). Throws
// kInvalidArgument naming the text.
VramBudget parse_vram_budget(const std::string& text);

struct ExpertOptions {
  VramBudget vram_budget;     // dense weights, KV cache and scratch first; experts share the rest
  uint32_t expert_slots = 0;  // > 0: stream through exactly this many slots, whatever the budget
  ExpertPolicy policy = ExpertPolicy::kLru;
  bool prefetch = true;       // copy the next layer's predicted experts while this layer runs
  bool zero_copy = true;      // read a single-token miss from host memory instead of evicting
  uint32_t max_slots_per_bank = 0;  // > 0: caps the slots per pool buffer (tests of multi-bank pools)
};

}  // namespace vkmoe
