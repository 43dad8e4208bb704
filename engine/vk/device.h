#pragma once
// The logical device and its queues: one compute queue, and a transfer-only queue where the
// device has one (expert uploads then overlap compute). A host application may hand in its
// own VkDevice and queues; vkmoe then creates nothing global and destroys nothing it adopted.
#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>

#include "engine/vk/device_caps.h"

namespace vkmoe::vk {

struct Queue {
  VkQueue handle = VK_NULL_HANDLE;
  uint32_t family = UINT32_MAX;
  // vkQueueSubmit needs external synchronization; a shared queue may also be used by the host.
  std::shared_ptr<std::mutex> submit_mutex = std::make_shared<std::mutex>();
};

// What a host application hands over when it shares its device. The device must have been
// created with the features listed in DeviceCaps::missing's checks (16/8-bit storage, timeline
// semaphores) and VK_KHR_push_descriptor enabled.
struct ExternalDevice {
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue compute_queue = VK_NULL_HANDLE;
  uint32_t compute_family = 0;
  VkQueue transfer_queue = VK_NULL_HANDLE;  // optional
  uint32_t transfer_family = UINT32_MAX;
  std::shared_ptr<std::mutex> queue_mutex;  // optional: the host's lock for the same queue
};

class Device {
 public:
  static std::unique_ptr<Device> create(VkPhysicalDevice physical, const DeviceCaps& caps);
  static std::unique_ptr<Device> adopt(const ExternalDevice& external);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice handle() const { return device_; }
  VkPhysicalDevice physical() const { return physical_; }
  const DeviceCaps& caps() const { return caps_; }
  Queue& compute_queue() { return compute_; }
  // nullptr when the device has no separate transfer queue.
  Queue* transfer_queue() { return transfer_.handle != VK_NULL_HANDLE ? &transfer_ : nullptr; }
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_fn() const { return push_descriptor_; }

  void wait_idle() const;

 private:
  Device() = default;
  void load_functions();
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  bool owned_ = false;
  DeviceCaps caps_;
  Queue compute_;
  Queue transfer_;
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_ = nullptr;
};

}  // namespace vkmoe::vk
