#pragma once
// SPIR-V compiled from shaders/ at build time (see shaders/CMakeLists.txt).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vkmoe::vk {

// Empty span when no shader has that name.
std::span<const uint32_t> embedded_shader(std::string_view name);
std::vector<std::string_view> embedded_shader_names();

}  // namespace vkmoe::vk
