// The conversation sidebar: new, open, rename, delete, export as Markdown.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_ui.h"

namespace vkmoe_chat {

void draw_chat_list_panel(ChatApp& app, UiState& ui) {
  ImGui::TextUnformatted("Chats");
  if (ImGui::Button("New chat")) app.new_chat();
  ImGui::SameLine();
  if (ImGui::Button("Delete") && !app.conversation.id.empty()) app.delete_chat(app.conversation.id);
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Rename").x - ImGui::GetStyle().FramePadding.x * 4);
  ImGui::InputTextWithHint("##rename", app.conversation.title.c_str(), &ui.rename_text);
  ImGui::SameLine();
  if (ImGui::Button("Rename") && !ui.rename_text.empty()) {
    app.rename_chat(ui.rename_text);
    ui.rename_text.clear();
  }
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Export").x - ImGui::GetStyle().FramePadding.x * 4);
  ImGui::InputTextWithHint("##export", "chat.md", &ui.export_path);
  ImGui::SameLine();
  if (ImGui::Button("Export") && !ui.export_path.empty()) app.export_markdown(ui.export_path);

  ImGui::BeginChild("chat_list", ImVec2(0, 0), false);
  for (const ChatEntry& c : app.chats) {
    ImGui::PushID(c.id.c_str());
    if (ImGui::Selectable(c.title.c_str(), c.id == app.conversation.id)) app.open_chat(c.id);
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace vkmoe_chat
