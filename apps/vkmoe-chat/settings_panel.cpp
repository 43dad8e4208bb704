// Settings (sampling, reply and context length, frame budget, device) and the per-reply
// speed figures. Settings are saved per model when changed.
#include <imgui.h>

#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_ui.h"

namespace vkmoe_chat {

void draw_settings_panel(ChatApp& app, UiState& ui) {
  ChatSettings& s = app.settings;
  ImGui::TextUnformatted("Settings");
  bool changed = false;
  ImGui::PushItemWidth(-130);
  changed |= ImGui::SliderFloat("Temperature", &s.temperature, 0.0f, 2.0f, s.temperature == 0 ? "0 (greedy)" : "%.2f");
  changed |= ImGui::SliderInt("Top-k", &s.top_k, 0, 200, s.top_k == 0 ? "off" : "%d");
  changed |= ImGui::SliderFloat("Top-p", &s.top_p, 0.01f, 1.0f, "%.2f");
  changed |= ImGui::SliderFloat("Min-p", &s.min_p, 0.0f, 1.0f, "%.2f");
  changed |= ImGui::SliderFloat("Repetition", &s.repetition_penalty, 0.5f, 2.0f, "%.2f");
  changed |= ImGui::InputInt("Seed", &s.seed);
  changed |= ImGui::SliderInt("Max tokens", &s.max_tokens, 1, 4096);
  changed |= ImGui::SliderInt("Context", &s.context_length, 128, 32768, "%d (next load)");
  changed |= ImGui::SliderInt("Frame budget", &s.frame_budget_us, 500, 33000, "%d us GPU");
  ImGui::PopItemWidth();
  const std::string problem = s.sampling_problem();
  if (!problem.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", problem.c_str());
  if (changed) app.save_settings();

  if (ImGui::CollapsingHeader("Vulkan device")) {
    ImGui::TextWrapped("In use: %s (shared by the window and vkmoe)", ui.device_in_use.c_str());
    for (const std::string& d : ui.devices) ImGui::BulletText("%s", d.c_str());
    ImGui::TextDisabled("Start with --device NAME to use another.");
  }

  const vkmoe_stats& st = app.stats();
  ImGui::Separator();
  ImGui::TextWrapped("Last reply: prompt %.1f tok/s, generation %.1f tok/s", st.prompt_tokens_per_second,
                     st.generation_tokens_per_second);
  ImGui::Text("Tokens: %llu prompt, %llu generated", static_cast<unsigned long long>(st.prompt_tokens),
              static_cast<unsigned long long>(st.generated_tokens));
  ImGui::Text("GPU: %.2f ms per token", st.gpu_ms_per_token);
}

void draw_expert_panel(ChatApp& app, UiState&) {
  ImGui::TextUnformatted("Experts");
  if (!app.engine().ready()) {
    ImGui::TextDisabled("no model loaded");
    return;
  }
  const vkmoe_model_info& info = app.engine().model_info();
  const vkmoe_stats& st = app.stats();
  ImGui::TextWrapped("%u experts per layer, %u active per token", info.n_expert, info.n_expert_used);
  ImGui::Text("VRAM: %.1f MiB used", double(st.vram_used_bytes) / (1 << 20));
  if (!info.experts_stream) {
    ImGui::TextWrapped("Every expert is resident in VRAM: nothing streams.");
    return;
  }
  const double hit_rate = st.expert_uses > 0 ? double(st.expert_hits) / double(st.expert_uses) : 1.0;
  const uint64_t tokens = st.prompt_tokens + st.generated_tokens;
  const double mib_streamed = double(st.expert_bytes_copied + st.expert_bytes_zero_copy) / (1 << 20);
  ImGui::TextWrapped("Hit rate: %.1f %% (%llu uses, %llu misses)", hit_rate * 100.0, static_cast<unsigned long long>(st.expert_uses),
              static_cast<unsigned long long>(st.expert_misses));
  ImGui::ProgressBar(float(hit_rate), ImVec2(-1, 0));
  ImGui::TextWrapped("Streamed: %.1f MiB (%.2f MiB per token)", mib_streamed, tokens > 0 ? mib_streamed / double(tokens) : 0.0);
  ImGui::Text("  copied %.1f MiB, read in place %.1f MiB", double(st.expert_bytes_copied) / (1 << 20),
              double(st.expert_bytes_zero_copy) / (1 << 20));
}

}  // namespace vkmoe_chat
