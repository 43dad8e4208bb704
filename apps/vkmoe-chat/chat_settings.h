#pragma once
// What the user sets for a model: sampling, reply length, context length and how much VRAM
// the model may take (experts stream beyond it). Saved per model path in models.json.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "vkmoe/vkmoe.h"

namespace vkmoe_chat {

struct ChatSettings {
  float temperature = 0.0f;  // 0: greedy
  int top_k = 0;
  float top_p = 1.0f;
  float min_p = 0.0f;
  float repetition_penalty = 1.0f;
  int seed = 1;
  int max_tokens = 256;
  int context_length = 2048;     // applies at the next load
  int vram_budget_mib = 0;       // 0: all free device memory; applies at the next load
  int frame_budget_us = 6000;    // GPU time generation may submit per frame
  // Streamed experts; apply at the next load.
  bool expert_lfu = false;       // evict the least frequently used slot, not the least recent
  bool expert_prefetch = true;
  bool expert_zero_copy = true;

  vkmoe_sampling sampling() const;
  // The reason the sampling is refused, or empty.
  std::string sampling_problem() const;
};

nlohmann::json to_json(const ChatSettings& s);
// Missing or mistyped fields keep their defaults.
ChatSettings settings_from_json(const nlohmann::json& j);

}  // namespace vkmoe_chat
