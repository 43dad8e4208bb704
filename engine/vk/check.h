#pragma once
// The one way vkmoe checks a VkResult: VKMOE_VK_CHECK(vkCall(...)) throws vkmoe::Error naming
// the call, the result and the source line. Out-of-memory and device-lost get their own codes
// so callers can react (shrink a budget, recreate the context).
#include <vulkan/vulkan.h>

#include "loader/base/error.h"

namespace vkmoe::vk {

const char* result_name(VkResult result);
[[noreturn]] void throw_vk_error(VkResult result, const char* call, const char* file, int line);

inline void check(VkResult result, const char* call, const char* file, int line) {
  if (result != VK_SUCCESS) throw_vk_error(result, call, file, line);
}

}  // namespace vkmoe::vk

#define VKMOE_VK_CHECK(call) ::vkmoe::vk::check((call), #call, __FILE__, __LINE__)
