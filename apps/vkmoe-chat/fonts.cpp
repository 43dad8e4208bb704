#include "apps/vkmoe-chat/fonts.h"

#include <imgui.h>

#include <filesystem>

namespace vkmoe_chat {

namespace {

// Latin, Greek, Cyrillic, general punctuation, currency, letterlike symbols, arrows, maths,
// box drawing, block elements, geometric shapes: what DejaVu covers and models write most.
const ImWchar kRanges[] = {0x0020, 0x024F, 0x0370, 0x03FF, 0x0400, 0x052F, 0x2000, 0x206F, 0x20A0, 0x20CF,
                           0x2100, 0x214F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x2500, 0x259F, 0x25A0, 0x25FF,
                           0x2600, 0x26FF, 0xFFFD, 0xFFFD, 0};  // U+FFFD: ImGui draws it for glyphs a font lacks

const char* first_existing(const char* const* candidates) {
  for (const char* const* c = candidates; *c != nullptr; ++c) {
    std::error_code ec;
    if (std::filesystem::exists(*c, ec)) return *c;
  }
  return nullptr;
}

ImFont* add_first_found(const char* const* candidates, float size) {
  const char* path = first_existing(candidates);
  return path != nullptr ? ImGui::GetIO().Fonts->AddFontFromFileTTF(path, size, nullptr, kRanges) : nullptr;
}

// Chinese, Japanese and Korean text (Qwen and DeepSeek answer in Chinese as readily as in
// English), merged into the font just added: common simplified hanzi, kana with the common
// kanji, and Hangul syllables. The whole CJK block would bake some 20,000 more glyphs into the
// atlas at every start.
void merge_cjk(float size) {
  static const char* const kCjk[] = {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                                     "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", nullptr};
  const char* path = first_existing(kCjk);
  if (path == nullptr) return;
  ImGuiIO& io = ImGui::GetIO();
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    builder.AddRanges(io.Fonts->GetGlyphRangesJapanese());
    builder.AddRanges(io.Fonts->GetGlyphRangesKorean());
    builder.BuildRanges(&ranges);
  }
  ImFontConfig config;
  config.MergeMode = true;
  io.Fonts->AddFontFromFileTTF(path, size, &config, ranges.Data);
}

}  // namespace

Fonts load_fonts(float size_pixels) {
  static const char* const kText[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                      "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", nullptr};
  static const char* const kMono[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
                                      "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf", nullptr};
  Fonts fonts;
  fonts.text = add_first_found(kText, size_pixels);
  if (fonts.text == nullptr) fonts.text = ImGui::GetIO().Fonts->AddFontDefault();
  merge_cjk(size_pixels);
  fonts.mono = add_first_found(kMono, size_pixels);
  if (fonts.mono != nullptr) merge_cjk(size_pixels);
  if (fonts.mono == nullptr) fonts.mono = fonts.text;
  return fonts;
}

}  // namespace vkmoe_chat
