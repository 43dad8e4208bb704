// The model panel: choose a model (path field, file browser, recent models), see what it is
// and needs before loading, set the VRAM budget, load it in the background or cancel.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_ui.h"

namespace vkmoe_chat {

namespace {

double mib(uint64_t bytes) { return double(bytes) / double(1 << 20); }

bool is_model_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "config.json", ec);
}

// Lists folders, .gguf files and Hugging Face folders (those with a config.json) of
// ui.browse_dir; picking a model sets the path field.
void draw_file_browser(ChatApp& app, UiState& ui) {
  if (ui.browsing) {
    ImGui::OpenPopup("Open model");
    ui.browsing = false;
  }
  ImGui::SetNextWindowSize(ImVec2(560, 420), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Open model")) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (ui.browse_dir.empty()) ui.browse_dir = fs::current_path(ec).string();
  ImGui::TextWrapped("%s", ui.browse_dir.c_str());
  ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing()), true);
  if (ImGui::Selectable("..")) ui.browse_dir = fs::path(ui.browse_dir).parent_path().string();
  std::vector<fs::directory_entry> entries;
  for (const auto& e : fs::directory_iterator(ui.browse_dir, fs::directory_options::skip_permission_denied, ec)) {
    entries.push_back(e);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const fs::directory_entry& e : entries) {
    const std::string name = e.path().filename().string();
    if (e.is_directory(ec)) {
      const bool model = is_model_folder(e.path());
      if (ImGui::Selectable((name + (model ? "/  [Hugging Face model]" : "/")).c_str())) {
        if (model) {
          app.model_path = e.path().string();
          app.inspect_model();
          ImGui::CloseCurrentPopup();
        } else {
          ui.browse_dir = e.path().string();
        }
      }
    } else if (e.path().extension() == ".gguf") {
      if (ImGui::Selectable(name.c_str())) {
        app.model_path = e.path().string();
        app.inspect_model();
        ImGui::CloseCurrentPopup();
      }
    }
  }
  ImGui::EndChild();
  if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void draw_preview(const ChatApp& app) {
  const ModelPreview& p = app.preview;
  if (!p.ok) {
    if (!p.error.empty()) ImGui::TextWrapped("%s", p.error.c_str());
    return;
  }
  const vkmoe_model_memory& m = p.memory;
  ImGui::TextWrapped("%s: %.2fM parameters, %.2fM active per token", m.architecture, double(m.total_parameters) / 1e6,
                     double(m.active_parameters) / 1e6);
  ImGui::Text("File: %.1f MiB", mib(p.file_bytes));
  ImGui::Text("Weights: %.1f MiB", mib(m.total_bytes));
  ImGui::Text("  dense %.1f MiB, experts %.1f MiB", mib(m.dense_bytes), mib(m.expert_bytes));
  ImGui::Text("KV cache: %.2f MiB per 1k tokens", mib(m.kv_bytes_per_1k_tokens));
  ImGui::Text("Session: %.1f MiB (KV + scratch)", mib(m.session_reserve_bytes));
  if (m.experts_stream) {
    ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "Experts stream: %u of %u fit in VRAM", m.expert_slots, m.total_experts);
  } else {
    ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.5f, 1.0f), "All %u experts fit in VRAM", m.total_experts);
  }
}

}  // namespace

void draw_model_panel(ChatApp& app, UiState& ui) {
  ImGui::TextUnformatted("Model");
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse").x - ImGui::GetStyle().FramePadding.x * 4);
  ImGui::InputTextWithHint("##path", ".gguf file or Hugging Face folder", &app.model_path);
  if (ImGui::IsItemDeactivatedAfterEdit()) app.inspect_model();
  ImGui::SameLine();
  if (ImGui::Button("Browse")) {
    ui.browsing = true;
    if (!app.model_path.empty()) ui.browse_dir = std::filesystem::path(app.model_path).parent_path().string();
  }
  draw_file_browser(app, ui);
  const std::vector<std::string> recent = app.store().recent_models();
  if (!recent.empty()) {
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##recent", "Recent models")) {
      for (const std::string& path : recent) {
        if (ImGui::Selectable(path.c_str())) {
          app.model_path = path;
          app.inspect_model();
        }
      }
      ImGui::EndCombo();
    }
  }
  const vkmoe_context_info device = app.engine().context_info();
  const int free_mib = int(std::min<uint64_t>(device.free_vram_bytes >> 20, 1u << 30));
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##budget", &app.settings.vram_budget_mib, 0, std::max(1, free_mib),
                   app.settings.vram_budget_mib == 0 ? "VRAM budget: all free" : "VRAM budget: %d MiB");
  if (ImGui::IsItemDeactivatedAfterEdit()) app.inspect_model();
  ImGui::Text("Free device memory: %d MiB", free_mib);
  draw_preview(app);

  const bool loading = app.load_state() == LoadState::kLoading;
  if (loading) {
    ImGui::ProgressBar(app.engine().load_progress(), ImVec2(-ImGui::CalcTextSize("Cancel").x - 24, 0));
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) app.cancel_load();
  } else if (ImGui::Button("Load", ImVec2(-1, 0))) {
    app.load_model();
  }
  if (app.engine().ready()) {
    const vkmoe_model_info& info = app.engine().model_info();
    ImGui::TextWrapped("Loaded: %s, %u layers, %u experts (top %u), vocabulary %u%s", info.architecture, info.n_layer,
                       info.n_expert, info.n_expert_used, info.n_vocab, info.has_chat_template ? ", chat template" : "");
  }
}

}  // namespace vkmoe_chat
