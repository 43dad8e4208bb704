#pragma once
// The VkInstance, owned or borrowed from a host application (a game engine that already has
// one). With validation on, the Khronos layer's messages are logged and counted so tests can
// fail on any of them.
#include <vulkan/vulkan.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace vkmoe::vk {

struct InstanceOptions {
  bool validation = false;  // also on when VKMOE_VALIDATION=1
};

class Instance {
 public:
  static std::unique_ptr<Instance> create(const InstanceOptions& options);
  // Borrow the host's instance: vkmoe never destroys it. It must outlive every vkmoe object.
  static std::unique_ptr<Instance> adopt(VkInstance external);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance handle() const { return instance_; }
  bool validation_enabled() const { return messenger_ != VK_NULL_HANDLE; }
  // Validation errors and warnings reported since the last reset.
  uint32_t validation_message_count() const { return message_count_.load(); }
  std::string last_validation_message() const;
  void reset_validation_messages();

 private:
  Instance() = default;
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT types,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);
  VkInstance instance_ = VK_NULL_HANDLE;
  bool owned_ = false;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::atomic<uint32_t> message_count_{0};
  mutable std::mutex message_mutex_;
  std::string last_message_;
};

}  // namespace vkmoe::vk
