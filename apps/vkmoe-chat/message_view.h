#pragma once
#include <string>

struct ImFont;

namespace vkmoe_chat {

// Draws `text` wrapped to the region's width, fenced code blocks framed in `mono` with a Copy
// button.
void draw_message_text(const std::string& text, ImFont* mono);

}  // namespace vkmoe_chat
