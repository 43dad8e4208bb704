#include "apps/vkmoe-chat/chat_ui.h"

#include <imgui.h>

#include "apps/vkmoe-chat/chat_app.h"

namespace vkmoe_chat {

namespace {

constexpr float kSideWidth = 300.0f;

void draw_banners(ChatApp& app) {
  if (!app.notice.empty() && app.error.empty()) {
    ImGui::TextColored(ImVec4(0.6f, 0.85f, 0.6f, 1.0f), "%s", app.notice.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("OK")) app.notice.clear();
  }
  if (!app.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.45f, 0.08f, 0.08f, 1.0f));
    ImGui::BeginChild("error", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 2.4f), true);
    ImGui::TextWrapped("Error: %s", app.error.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Dismiss")) app.error.clear();
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
}

}  // namespace

void draw_ui(ChatApp& app, UiState& ui) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings;
  ImGui::Begin("vkmoe-chat", nullptr, flags);
  draw_banners(app);

  ImGui::BeginChild("left", ImVec2(kSideWidth, 0), true);
  draw_model_panel(app, ui);
  ImGui::Separator();
  draw_chat_list_panel(app, ui);
  ImGui::EndChild();

  ImGui::SameLine();
  const float middle = ImGui::GetContentRegionAvail().x - kSideWidth - ImGui::GetStyle().ItemSpacing.x;
  ImGui::BeginChild("middle", ImVec2(middle, 0), true);
  draw_chat_panel(app, ui);
  ImGui::EndChild();

  ImGui::SameLine();
  ImGui::BeginChild("right", ImVec2(0, 0), true);
  draw_settings_panel(app, ui);
  ImGui::Separator();
  draw_expert_panel(app, ui);
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vkmoe_chat
