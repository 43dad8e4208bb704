#pragma once
// Which physical device vkmoe runs on: discrete GPU first, then integrated, virtual, CPU.
// VKMOE_DEVICE=<index or name substring> (or an explicit selector) overrides the order.
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

#include "engine/vk/device_caps.h"

namespace vkmoe::vk {

struct PhysicalDeviceEntry {
  uint32_t index = 0;
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  DeviceCaps caps;
};

std::vector<PhysicalDeviceEntry> enumerate_physical_devices(VkInstance instance);

// `selector` empty means VKMOE_DEVICE, then the default order. Throws kNoDevice with the list
// of devices and what each lacks when nothing usable matches.
PhysicalDeviceEntry select_physical_device(VkInstance instance, const std::string& selector = "");

}  // namespace vkmoe::vk
