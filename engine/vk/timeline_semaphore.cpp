#include "engine/vk/timeline_semaphore.h"

#include <string>

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {

std::unique_ptr<TimelineSemaphore> TimelineSemaphore::create(Device& device, uint64_t initial) {
  std::unique_ptr<TimelineSemaphore> self(new TimelineSemaphore(device));
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  type.initialValue = initial;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &type;
  VKMOE_VK_CHECK(vkCreateSemaphore(device.handle(), &info, nullptr, &self->semaphore_));
  return self;
}

TimelineSemaphore::~TimelineSemaphore() {
  if (semaphore_ != VK_NULL_HANDLE) vkDestroySemaphore(device_.handle(), semaphore_, nullptr);
}

uint64_t TimelineSemaphore::value() const {
  uint64_t v = 0;
  VKMOE_VK_CHECK(vkGetSemaphoreCounterValue(device_.handle(), semaphore_, &v));
  return v;
}

void TimelineSemaphore::wait(uint64_t value) const {
  VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &semaphore_;
  info.pValues = &value;
  VKMOE_VK_CHECK(vkWaitSemaphores(device_.handle(), &info, UINT64_MAX));
}

}  // namespace vkmoe::vk
