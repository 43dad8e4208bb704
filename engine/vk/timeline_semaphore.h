#pragma once
// A timeline semaphore: the GPU signals increasing values; the host or another queue waits
// for one. Waits are bounded so a stuck GPU becomes an error, never a hang.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>

namespace vkmoe::vk {

class Device;

class TimelineSemaphore {
 public:
  static std::unique_ptr<TimelineSemaphore> create(Device& device, uint64_t initial = 0);
  ~TimelineSemaphore();
  TimelineSemaphore(const TimelineSemaphore&) = delete;
  TimelineSemaphore& operator=(const TimelineSemaphore&) = delete;

  VkSemaphore handle() const { return semaphore_; }
  uint64_t value() const;
  // Until `value` is reached. No time limit: a slow device (a large prompt on a CPU driver)
  // is still working, and giving up would free memory its work still reads; a hung GPU is
  // reported by the driver as lost, which throws Error(kDeviceLost).
  void wait(uint64_t value) const;

 private:
  explicit TimelineSemaphore(Device& device) : device_(device) {}
  Device& device_;
  VkSemaphore semaphore_ = VK_NULL_HANDLE;
};

}  // namespace vkmoe::vk
