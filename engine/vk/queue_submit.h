#pragma once
// Submitting recorded work to a queue with timeline-semaphore waits and signals.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>

#include "engine/vk/device.h"

namespace vkmoe::vk {

struct SemaphorePoint {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;
};

void submit(Queue& queue, VkCommandBuffer cmd, std::span<const SemaphorePoint> waits,
            std::span<const SemaphorePoint> signals);

}  // namespace vkmoe::vk
