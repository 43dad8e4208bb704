#pragma once
// The app's Vulkan device, created the way a host that shares it with vkmoe must: an instance
// with GLFW's surface extensions, a physical device vkmoe can run on with a family that draws,
// computes and presents, and the device created with vkmoe's required and optional extensions
// and features (vkmoe_get_device_requirements) plus the swapchain. The one queue is shared
// with vkmoe, so every submission, the app's and vkmoe's, takes `queue_mutex_`.
#include <vulkan/vulkan.h>

#include <mutex>
#include <string>
#include <vector>

#include "vkmoe/vkmoe.h"

struct GLFWwindow;

namespace vkmoe_chat {

// Throws std::runtime_error naming the call when `r` is not VK_SUCCESS.
void check_vk(VkResult r, const char* what);

class WindowDevice {
 public:
  // `device_selector`: empty for the first usable device, else a substring of its name.
  WindowDevice(GLFWwindow* window, const std::string& device_selector);
  ~WindowDevice();
  WindowDevice(const WindowDevice&) = delete;
  WindowDevice& operator=(const WindowDevice&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical() const { return physical_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t family() const { return family_; }
  VkSurfaceKHR surface() const { return surface_; }
  const std::string& name() const { return name_; }
  // Every Vulkan device of the instance, with why vkmoe cannot use it when it cannot.
  const std::vector<std::string>& device_names() const { return device_names_; }

  // What vkmoe_context_create needs to share this device and its queue.
  vkmoe_external_device external_device();
  // The app's own submissions and presents: under the lock vkmoe takes.
  void submit(const VkSubmitInfo& info, VkFence fence);
  VkResult present(const VkPresentInfoKHR& info);
  // Waits for everything on the shared queue (vkmoe's work included), under the queue lock.
  VkResult wait_idle();

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t family_ = 0;
  std::string name_;
  std::vector<std::string> device_names_;
  vkmoe_device_requirements requirements_{};
  std::vector<const char*> extensions_;
  std::mutex queue_mutex_;
};

}  // namespace vkmoe_chat
