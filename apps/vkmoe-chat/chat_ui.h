#pragma once
// The window's panels, drawn with ImGui each frame. They only show ChatApp's state and call
// its actions; UiState holds what exists only on screen (open popups, edit buffers).
#include <string>
#include <vector>

#include "apps/vkmoe-chat/fonts.h"

namespace vkmoe_chat {

class ChatApp;

struct UiState {
  Fonts fonts;
  std::vector<std::string> devices;  // the Vulkan devices, with the one in use first
  std::string device_in_use;
  // File browser.
  bool browsing = false;
  std::string browse_dir;
  // Editing a user message: its index, or -1.
  int editing = -1;
  std::string edit_text;
  std::string rename_text;
  std::string export_path;
  bool follow_reply = true;  // keep the newest text in view while it streams
  float frame_ms = 0;
};

void draw_ui(ChatApp& app, UiState& ui);

// Panels (one file each).
void draw_model_panel(ChatApp& app, UiState& ui);
void draw_chat_list_panel(ChatApp& app, UiState& ui);
void draw_chat_panel(ChatApp& app, UiState& ui);
void draw_settings_panel(ChatApp& app, UiState& ui);
void draw_expert_panel(ChatApp& app, UiState& ui);

}  // namespace vkmoe_chat
