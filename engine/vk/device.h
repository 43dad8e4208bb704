#pragma once
// The logical device and its queues: one compute queue, and a transfer-only queue where the
// device has one (expert uploads then overlap compute). A host application may hand in its
// own VkDevice and queues; vkmoe then creates nothing global and destroys nothing it adopted.
#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/vk/device_caps.h"
#include "engine/vk/texel_views.h"

namespace vkmoe::vk {

// A host application's lock for a queue it shares with vkmoe: Vulkan requires external
// synchronisation of vkQueueSubmit, so vkmoe holds it around each of its submissions.
struct HostQueueLock {
  void (*lock)(void* user, VkQueue queue) = nullptr;
  void (*unlock)(void* user, VkQueue queue) = nullptr;
  void* user = nullptr;
  bool present() const { return lock != nullptr && unlock != nullptr; }
};

struct Queue {
  VkQueue handle = VK_NULL_HANDLE;
  uint32_t family = UINT32_MAX;
  // vkmoe's own threads take turns on the queue through this mutex; a host's lock comes on top.
  std::shared_ptr<std::mutex> submit_mutex = std::make_shared<std::mutex>();
  HostQueueLock host_lock;
};

// What a host application hands over when it shares its device. The device must have been
// created with vkmoe's required extensions and features (engine/vk/device_features.h);
// `enabled_extensions` and `enabled_features` say what it enabled, so vkmoe uses no more.
struct ExternalDevice {
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue compute_queue = VK_NULL_HANDLE;
  uint32_t compute_family = 0;
  VkQueue transfer_queue = VK_NULL_HANDLE;  // optional
  uint32_t transfer_family = UINT32_MAX;
  HostQueueLock queue_lock;                 // optional: taken around every submission
  std::vector<std::string> enabled_extensions;
  const VkPhysicalDeviceFeatures2* enabled_features = nullptr;  // null: the required ones only
  PFN_vkGetDeviceProcAddr get_device_proc_addr = nullptr;       // null: the Vulkan loader's
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
  TexelViews& texel_views() { return *texel_views_; }

  // False for a host's device: vkmoe then neither destroys it nor waits for it to go idle.
  bool owned() const { return owned_; }
  void wait_idle() const;

 private:
  Device() = default;
  void load_functions(PFN_vkGetDeviceProcAddr get_proc);
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  bool owned_ = false;
  DeviceCaps caps_;
  Queue compute_;
  Queue transfer_;
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_ = nullptr;
  std::unique_ptr<TexelViews> texel_views_;  // destroyed before the device
};

}  // namespace vkmoe::vk
