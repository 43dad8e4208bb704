#pragma once
// The fonts the window draws with: a proportional one for text and a monospace one for code,
// from Debian's fonts-dejavu-core when installed, with the glyph ranges models commonly
// emit, and common Chinese, Japanese and Korean from fonts-wqy-microhei merged into both.
// Without the files ImGui's built-in font is used; a glyph no font has is drawn as ImGui's
// fallback character, never an error.
struct ImFont;

namespace vkmoe_chat {

struct Fonts {
  ImFont* text = nullptr;
  ImFont* mono = nullptr;
};

// Adds the fonts to ImGui's atlas; call before the renderer uploads it.
Fonts load_fonts(float size_pixels);

}  // namespace vkmoe_chat
