#pragma once
#include <string>

#include "apps/vkmoe-chat/frame_renderer.h"

namespace vkmoe_chat {

// Writes `shot` as an RGB PNG (stb_image_write); throws std::runtime_error when it cannot.
void write_png(const std::string& path, const Screenshot& shot);

}  // namespace vkmoe_chat
