#include "apps/vkmoe-chat/message_view.h"

#include <imgui.h>

#include <algorithm>

namespace vkmoe_chat {

std::vector<TextSegment> split_code_blocks(std::string_view text) {
  std::vector<TextSegment> out;
  TextSegment current;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.substr(0, 3) == "```") {
      if (!current.text.empty() || current.code) out.push_back(std::move(current));
      const bool opening = !current.code;
      current = TextSegment{};
      current.code = opening;
      if (opening) current.language = std::string(line.substr(3));
    } else {
      current.text.append(line);
      if (!last) current.text.push_back('\n');
    }
    at = end + 1;
  }
  if (!current.text.empty() || current.code) out.push_back(std::move(current));
  return out;
}

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
