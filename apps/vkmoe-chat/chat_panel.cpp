// The conversation: system prompt, messages as they stream (wrapped, code in monospace),
// edit-and-resend on user messages, and the input with Send, Stop and Regenerate.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_ui.h"
#include "apps/vkmoe-chat/message_view.h"

namespace vkmoe_chat {

namespace {

const ImVec4 kUserColor(0.55f, 0.75f, 1.0f, 1.0f);
const ImVec4 kAssistantColor(0.6f, 0.95f, 0.6f, 1.0f);

void draw_message(ChatApp& app, UiState& ui, size_t index) {
  const Message& m = app.conversation.messages[index];
  ImGui::PushID(int(index));
  const bool user = m.role == "user";
  ImGui::TextColored(user ? kUserColor : kAssistantColor, "%s", user ? "You" : "Assistant");
  if (user && !app.generating() && ui.editing != int(index)) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Edit")) {
      ui.editing = int(index);
      ui.edit_text = m.content;
    }
  }
  if (!user && !m.finish.empty()) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s; prompt %.1f tok/s, generation %.1f tok/s", m.finish.c_str(), m.prompt_tokens_per_second,
                       m.generation_tokens_per_second);
    ImGui::PopStyleColor();
  }
  if (ui.editing == int(index)) {
    ImGui::InputTextMultiline("##edit", &ui.edit_text, ImVec2(-1, ImGui::GetTextLineHeight() * 4));
    if (ImGui::Button("Resend")) {
      const std::string text = ui.edit_text;
      ui.editing = -1;
      app.edit_and_resend(index, text);
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ui.editing = -1;
  } else {
    draw_message_text(m.content, ui.fonts.mono);
  }
  ImGui::Spacing();
  ImGui::PopID();
}

}  // namespace

void draw_chat_panel(ChatApp& app, UiState& ui) {
  ImGui::TextUnformatted(app.conversation.title.c_str());
  if (ImGui::CollapsingHeader("System prompt")) {
    ImGui::InputTextMultiline("##system", &app.conversation.system_prompt, ImVec2(-1, ImGui::GetTextLineHeight() * 3));
  }
  const float input_height = ImGui::GetTextLineHeight() * 4 + ImGui::GetFrameHeightWithSpacing() * 2;
  ImGui::BeginChild("messages", ImVec2(0, -input_height), true);
  // size() is read on every pass: Resend inside the loop shrinks the list.
  for (size_t i = 0; i < app.conversation.messages.size(); ++i) draw_message(app, ui, i);
  if (app.generating() && ui.follow_reply) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();

  ImGui::InputTextMultiline("##input", &app.input, ImVec2(-1, ImGui::GetTextLineHeight() * 4));
  const bool ctrl_enter = ImGui::IsItemFocused() && ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter));
  if (app.generating()) {
    if (ImGui::Button("Stop")) app.stop();
  } else {
    if (ImGui::Button("Send (Ctrl+Enter)") || ctrl_enter) app.send();
    ImGui::SameLine();
    if (ImGui::Button("Regenerate")) app.regenerate();
  }
  ImGui::SameLine();
  ImGui::Checkbox("Follow", &ui.follow_reply);
  ImGui::SameLine();
  if (app.engine().ready()) {
    ImGui::Text("Context %u / %u   %.0f ms/frame", app.context_used(), app.engine().max_ctx(), ui.frame_ms);
  } else {
    ImGui::Text("No model   %.0f ms/frame", ui.frame_ms);
  }
}

}  // namespace vkmoe_chat
