#pragma once
// The game's side of Vulkan, as an engine would set it up: an instance (with GLFW's surface
// extensions when there is a window), a physical device vkmoe can run on, one queue family
// that does graphics and compute, and a device created with vkmoe's required and optional
// extensions and features on top of the game's own. The one queue is shared with vkmoe, so
// every submission, the game's and vkmoe's, takes `queue_mutex`.
#include <vulkan/vulkan.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "vkmoe/vkmoe.h"

struct GLFWwindow;

class HostDevice {
 public:
  // `window` may be null (headless): then no surface or swapchain extension is enabled.
  HostDevice(GLFWwindow* window, bool validation);
  ~HostDevice();
  HostDevice(const HostDevice&) = delete;
  HostDevice& operator=(const HostDevice&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical() const { return physical_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t family() const { return family_; }
  VkSurfaceKHR surface() const { return surface_; }
  const std::string& name() const { return name_; }
  uint32_t validation_messages() const { return messages_; }

  // What vkmoe_context_create needs to share this device and its queue.
  vkmoe_external_device external_device();
  // The game's own submissions: under the same lock vkmoe takes.
  void submit(const VkSubmitInfo& info, VkFence fence);
  VkResult present(const VkPresentInfoKHR& info);

 private:
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t family_ = 0;
  std::string name_;
  vkmoe_device_requirements requirements_{};
  std::vector<const char*> extensions_;
  std::mutex queue_mutex_;
  std::atomic<uint32_t> messages_{0};  // vkmoe may log from its loading thread
};
