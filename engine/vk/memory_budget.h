#pragma once
// How much device-local memory vkmoe may still take: VK_EXT_memory_budget's budget minus
// what the process already uses on the largest device-local heap; without the extension,
// nine tenths of that heap (the desktop and other programs hold some).
#include <cstdint>

namespace vkmoe::vk {

class Device;

uint64_t free_device_local_bytes(const Device& device);

}  // namespace vkmoe::vk
