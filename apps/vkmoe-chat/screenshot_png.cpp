#include "apps/vkmoe-chat/screenshot_png.h"

#include <stb_image_write.h>

#include <stdexcept>

namespace vkmoe_chat {

void write_png(const std::string& path, const Screenshot& shot) {
  // The window is opaque: drop alpha, which the swapchain leaves undefined on some drivers.
  std::string rgb(size_t(shot.width) * shot.height * 3, '\0');
  for (size_t i = 0, n = size_t(shot.width) * shot.height; i < n; ++i) {
    for (int c = 0; c < 3; ++c) rgb[i * 3 + c] = char(shot.rgba[i * 4 + c]);
  }
  if (stbi_write_png(path.c_str(), int(shot.width), int(shot.height), 3, rgb.data(), int(shot.width) * 3) == 0) {
    throw std::runtime_error("cannot write the screenshot " + path);
  }
}

}  // namespace vkmoe_chat
