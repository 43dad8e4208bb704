#include "apps/vkmoe-chat/window_device.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <stdexcept>

namespace vkmoe_chat {

void check_vk(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw std::runtime_error(std::string(what) + " failed with VkResult " + std::to_string(r));
}

namespace {

// A family that draws, computes and presents to `surface`.
bool find_family(VkPhysicalDevice physical, VkSurfaceKHR surface, uint32_t& family) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
  for (uint32_t i = 0; i < count; ++i) {
    const VkQueueFlags need = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT;
    if ((families[i].queueFlags & need) != need) continue;
    VkBool32 present = VK_FALSE;
    vkGetPhysicalDeviceSurfaceSupportKHR(physical, i, surface, &present);
    if (present) {
      family = i;
      return true;
    }
  }
  return false;
}

}  // namespace

WindowDevice::WindowDevice(GLFWwindow* window, const std::string& device_selector) {
  uint32_t n = 0;
  const char** glfw = glfwGetRequiredInstanceExtensions(&n);
  if (glfw == nullptr) throw std::runtime_error("GLFW finds no Vulkan surface support");
  const std::vector<const char*> instance_extensions(glfw, glfw + n);
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vkmoe-chat";
  app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<uint32_t>(instance_extensions.size());
  info.ppEnabledExtensionNames = instance_extensions.data();
  check_vk(vkCreateInstance(&info, nullptr, &instance_), "vkCreateInstance");
  check_vk(glfwCreateWindowSurface(instance_, window, nullptr, &surface_), "glfwCreateWindowSurface");

  uint32_t count = 0;
  check_vk(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> devices(count);
  check_vk(vkEnumeratePhysicalDevices(instance_, &count, devices.data()), "vkEnumeratePhysicalDevices");
  std::string why = "no Vulkan device";
  for (VkPhysicalDevice d : devices) {
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(d, &props);
    vkmoe_device_requirements r{};
    r.struct_size = sizeof(r);
    uint32_t family = 0;
    std::string problem;
    if (vkmoe_get_device_requirements(d, &r) != VKMOE_OK || !r.usable) {
      problem = r.missing[0] != '\0' ? r.missing : "vkmoe cannot run on it";
    } else if (!find_family(d, surface_, family)) {
      problem = "no queue family that draws, computes and presents";
    }
    device_names_.push_back(std::string(props.deviceName) + (problem.empty() ? "" : " (" + problem + ")"));
    const bool wanted = device_selector.empty() || std::string(props.deviceName).find(device_selector) != std::string::npos;
    if (!problem.empty()) why = std::string(props.deviceName) + ": " + problem;
    if (physical_ != VK_NULL_HANDLE || !problem.empty() || !wanted) continue;
    physical_ = d;
    family_ = family;
    name_ = props.deviceName;
  }
  if (physical_ == VK_NULL_HANDLE) {
    throw std::runtime_error(device_selector.empty() ? "no device for the window and vkmoe: " + why
                                                     : "no usable device matches '" + device_selector + "'");
  }
  // The requirements' pNext chain points into the struct it was filled in, so the chosen
  // device's go straight into the member (a copy would point back into the loop's local).
  requirements_ = vkmoe_device_requirements{};
  requirements_.struct_size = sizeof(requirements_);
  if (vkmoe_get_device_requirements(physical_, &requirements_) != VKMOE_OK) throw std::runtime_error("vkmoe_get_device_requirements failed");

  const vkmoe_device_requirements& r = requirements_;
  for (uint32_t i = 0; i < r.required_extension_count; ++i) extensions_.push_back(r.required_extensions[i]);
  for (uint32_t i = 0; i < r.optional_extension_count; ++i) extensions_.push_back(r.optional_extensions[i]);
  extensions_.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueFamilyIndex = family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.pNext = &requirements_.features;  // vkmoe's features; ImGui needs none beyond them
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue;
  device_info.enabledExtensionCount = static_cast<uint32_t>(extensions_.size());
  device_info.ppEnabledExtensionNames = extensions_.data();
  check_vk(vkCreateDevice(physical_, &device_info, nullptr, &device_), "vkCreateDevice");
  vkGetDeviceQueue(device_, family_, 0, &queue_);
}

WindowDevice::~WindowDevice() {
  if (device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
  if (surface_ != VK_NULL_HANDLE) vkDestroySurfaceKHR(instance_, surface_, nullptr);
  if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

vkmoe_external_device WindowDevice::external_device() {
  vkmoe_external_device e{};
  e.struct_size = sizeof(e);
  e.instance = instance_;
  e.physical_device = physical_;
  e.device = device_;
  e.compute_queue_family = family_;
  e.compute_queue = queue_;
  e.lock_queue = [](void* user, VkQueue) { static_cast<WindowDevice*>(user)->queue_mutex_.lock(); };
  e.unlock_queue = [](void* user, VkQueue) { static_cast<WindowDevice*>(user)->queue_mutex_.unlock(); };
  e.queue_lock_user_data = this;
  e.enabled_extension_count = static_cast<uint32_t>(extensions_.size());
  e.enabled_extensions = extensions_.data();
  e.enabled_features = &requirements_.features;
  e.get_instance_proc_addr = vkGetInstanceProcAddr;
  e.get_device_proc_addr = vkGetDeviceProcAddr;
  return e;
}

void WindowDevice::submit(const VkSubmitInfo& info, VkFence fence) {
  std::lock_guard lock(queue_mutex_);
  check_vk(vkQueueSubmit(queue_, 1, &info, fence), "vkQueueSubmit");
}

VkResult WindowDevice::present(const VkPresentInfoKHR& info) {
  std::lock_guard lock(queue_mutex_);
  return vkQueuePresentKHR(queue_, &info);
}

VkResult WindowDevice::wait_idle() {
  std::lock_guard lock(queue_mutex_);
  return vkQueueWaitIdle(queue_);
}

}  // namespace vkmoe_chat
