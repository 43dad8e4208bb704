#pragma once
// A host application's side of Vulkan, set up the way a program that shares its device with
// vkmoe must (the game-loop example and vkmoe-chat use it): an instance (with GLFW's surface
// extensions when there is a window), a physical device vkmoe can run on with one queue family
// that draws, computes and presents, and the device created with vkmoe's required and optional
// extensions and features (vkmoe_get_device_requirements) plus the swapchain's. The one queue
// is shared with vkmoe, so every submission, the host's and vkmoe's, takes one lock.
#include <vulkan/vulkan.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "vkmoe/vkmoe.h"

struct GLFWwindow;

namespace vkmoe_host {

// Throws std::runtime_error naming the call when `r` is not VK_SUCCESS.
void check_vk(VkResult r, const char* what);

struct HostDeviceOptions {
  GLFWwindow* window = nullptr;  // null: headless, with no surface and no swapchain extension
  std::string device_selector;   // empty: the first usable device; else a substring of its name
  bool validation = false;       // the Khronos validation layer; its messages are printed and counted
  const char* application_name = "vkmoe host";
};

class HostDevice {
 public:
  // Throws std::runtime_error saying why when no device fits.
  explicit HostDevice(const HostDeviceOptions& options);
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
  // Every Vulkan device of the instance, with why vkmoe cannot use it when it cannot.
  const std::vector<std::string>& device_names() const { return device_names_; }
  uint32_t validation_messages() const { return messages_; }
  // The first memory type in `type_bits` with all of `flags`; throws "no <what>" when none has.
  uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags flags, const char* what) const;

  // What vkmoe_context_create needs to share this device and its queue.
  vkmoe_external_device external_device();
  // The host's own submissions and presents: under the lock vkmoe takes.
  void submit(const VkSubmitInfo& info, VkFence fence);
  VkResult present(const VkPresentInfoKHR& info);
  // Waits for everything on the shared queue (vkmoe's work included), under the queue lock.
  VkResult wait_idle();

 private:
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);
  void create_instance(const HostDeviceOptions& options);
  void choose_physical_device(const std::string& selector);
  void create_device(bool swapchain);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
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
  std::atomic<uint32_t> messages_{0};  // vkmoe may log from its loading thread
};

}  // namespace vkmoe_host
