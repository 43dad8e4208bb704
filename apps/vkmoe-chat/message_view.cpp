#include "apps/vkmoe-chat/message_view.h"

#include <imgui.h>

#include <algorithm>

#include "apps/vkmoe-chat/code_blocks.h"

namespace vkmoe_chat {

void draw_message_text(const std::string& text, ImFont* mono) {
  int block = 0;
  for (const TextSegment& s : split_code_blocks(text)) {
    if (!s.code) {
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(s.text.data(), s.text.data() + s.text.size());
      ImGui::PopTextWrapPos();
      continue;
    }
    ImGui::PushID(block++);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.05f, 0.05f, 0.07f, 1.0f));
    ImGui::PushFont(mono);
    const float lines = float(std::count(s.text.begin(), s.text.end(), '\n') + 2);
    const float height = lines * ImGui::GetTextLineHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::BeginChild("code", ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextDisabled("%s", s.language.empty() ? "code" : s.language.c_str());
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize("Copy").x - 8);
    if (ImGui::SmallButton("Copy")) ImGui::SetClipboardText(s.text.c_str());
    ImGui::TextUnformatted(s.text.data(), s.text.data() + s.text.size());
    ImGui::EndChild();
    ImGui::PopFont();
    ImGui::PopStyleColor();
    ImGui::PopID();
  }
}

}  // namespace vkmoe_chat
