// Settings (sampling, reply and context length, frame budget, device) and the per-reply
// speed figures. Settings are saved per model when changed.
#include <imgui.h>

#include <algorithm>
#include <vector>

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

  if (ImGui::CollapsingHeader("Streamed experts (next load)")) {
    int policy = s.expert_lfu ? 1 : 0;
    changed |= ImGui::Combo("Eviction", &policy, "least recently used\0least frequently used\0");
    s.expert_lfu = policy == 1;
    changed |= ImGui::Checkbox("Prefetch the next layer's experts", &s.expert_prefetch);
    changed |= ImGui::Checkbox("Read single-token misses in place", &s.expert_zero_copy);
  }
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

namespace {

// Rows: layers; columns: experts; brightness: the share of the layer's tokens the expert
// served, relative to the layer's busiest expert. Hovering shows the count.
void draw_expert_heat_map(const std::vector<uint64_t>& usage, uint32_t n_layer, uint32_t n_expert) {
  if (n_expert == 0 || usage.size() != size_t(n_layer) * n_expert) {
    ImGui::TextDisabled("expert usage: after the first reply");
    return;
  }
  ImGui::TextWrapped("Expert usage in this conversation (rows: layers, columns: experts)");
  const float width = ImGui::GetContentRegionAvail().x;
  const float cell_w = width / float(n_expert);
  const float cell_h = std::clamp(160.0f / float(n_layer), 2.0f, 14.0f);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (uint32_t layer = 0; layer < n_layer; ++layer) {
    const uint64_t* row = usage.data() + size_t(layer) * n_expert;
    const uint64_t busiest = *std::max_element(row, row + n_expert);
    for (uint32_t e = 0; e < n_expert; ++e) {
      const float heat = busiest > 0 ? float(row[e]) / float(busiest) : 0.0f;
      const ImVec2 a(origin.x + e * cell_w, origin.y + layer * cell_h);
      const ImVec2 b(a.x + std::max(1.0f, cell_w - 1.0f), a.y + std::max(1.0f, cell_h - 1.0f));
      const ImU32 colour = busiest == 0 ? IM_COL32(40, 40, 48, 255)  // a dense layer, or nothing yet
                                        : ImGui::ColorConvertFloat4ToU32(ImVec4(0.15f + 0.85f * heat, 0.1f + 0.6f * heat * heat, 0.25f * (1 - heat), 1));
      draw->AddRectFilled(a, b, colour);
      if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) {
        ImGui::SetTooltip("layer %u, expert %u: %llu tokens", layer, e, static_cast<unsigned long long>(row[e]));
      }
    }
  }
  ImGui::Dummy(ImVec2(width, n_layer * cell_h));
}

}  // namespace

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
  draw_expert_heat_map(app.expert_usage(), info.n_layer, info.n_expert);
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
