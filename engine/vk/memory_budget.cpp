#include "engine/vk/memory_budget.h"

#include <vulkan/vulkan.h>

#include "engine/vk/device.h"

namespace vkmoe::vk {

uint64_t free_device_local_bytes(const Device& device) {
  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
  if (device.caps().memory_budget) props.pNext = &budget;
  vkGetPhysicalDeviceMemoryProperties2(device.physical(), &props);
  const VkPhysicalDeviceMemoryProperties& p = props.memoryProperties;
  uint32_t largest = UINT32_MAX;
  for (uint32_t h = 0; h < p.memoryHeapCount; ++h) {
    if ((p.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) == 0) continue;
    if (largest == UINT32_MAX || p.memoryHeaps[h].size > p.memoryHeaps[largest].size) largest = h;
  }
  if (largest == UINT32_MAX) return 0;
  if (!device.caps().memory_budget) return p.memoryHeaps[largest].size / 10 * 9;
  const uint64_t b = budget.heapBudget[largest], used = budget.heapUsage[largest];
  return b > used ? b - used : 0;
}

}  // namespace vkmoe::vk
