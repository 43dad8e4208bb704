#pragma once
// GPU timestamps for profiling kernels: write pairs around work, read back nanoseconds.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace vkmoe::vk {

class Device;

class TimestampPool {
 public:
  static std::unique_ptr<TimestampPool> create(Device& device, uint32_t capacity);
  ~TimestampPool();
  TimestampPool(const TimestampPool&) = delete;
  TimestampPool& operator=(const TimestampPool&) = delete;

  VkQueryPool handle() const { return pool_; }
  uint32_t capacity() const { return capacity_; }
  // Nanoseconds since an arbitrary origin for queries [0, count); waits for the results.
  std::vector<double> read_ns(uint32_t count) const;

 private:
  explicit TimestampPool(Device& device) : device_(device) {}
  Device& device_;
  VkQueryPool pool_ = VK_NULL_HANDLE;
  uint32_t capacity_ = 0;
};

}  // namespace vkmoe::vk
