#include "apps/vkmoe-chat/chat_settings.h"

namespace vkmoe_chat {

vkmoe_sampling ChatSettings::sampling() const {
  vkmoe_sampling s = vkmoe_sampling_default();
  s.temperature = temperature;
  s.top_k = top_k > 0 ? uint32_t(top_k) : 0;
  s.top_p = top_p;
  s.min_p = min_p;
  s.repetition_penalty = repetition_penalty;
  s.seed = uint64_t(uint32_t(seed));
  return s;
}

std::string ChatSettings::sampling_problem() const {
  const vkmoe_sampling s = sampling();
  char message[256] = "";
  if (vkmoe_sampling_validate(&s, message, sizeof(message)) != VKMOE_OK) return message;
  return "";
}

nlohmann::json to_json(const ChatSettings& s) {
  return {{"temperature", s.temperature}, {"top_k", s.top_k},           {"top_p", s.top_p},
          {"min_p", s.min_p},             {"repetition_penalty", s.repetition_penalty},
          {"seed", s.seed},               {"max_tokens", s.max_tokens}, {"context_length", s.context_length},
          {"vram_budget_mib", s.vram_budget_mib}, {"frame_budget_us", s.frame_budget_us},
          {"expert_lfu", s.expert_lfu},   {"expert_prefetch", s.expert_prefetch},
          {"expert_zero_copy", s.expert_zero_copy}};
}

ChatSettings settings_from_json(const nlohmann::json& j) {
  ChatSettings s;
  auto read = [&](const char* key, auto& field) {
    if (j.is_object() && j.contains(key) && j[key].is_number()) field = j[key].get<std::remove_reference_t<decltype(field)>>();
  };
  read("temperature", s.temperature);
  read("top_k", s.top_k);
  read("top_p", s.top_p);
  read("min_p", s.min_p);
  read("repetition_penalty", s.repetition_penalty);
  read("seed", s.seed);
  read("max_tokens", s.max_tokens);
  read("context_length", s.context_length);
  read("vram_budget_mib", s.vram_budget_mib);
  read("frame_budget_us", s.frame_budget_us);
  auto flag = [&](const char* key, bool& field) {
    if (j.is_object() && j.contains(key) && j[key].is_boolean()) field = j[key].get<bool>();
  };
  flag("expert_lfu", s.expert_lfu);
  flag("expert_prefetch", s.expert_prefetch);
  flag("expert_zero_copy", s.expert_zero_copy);
  return s;
}

}  // namespace vkmoe_chat
