#include "apps/examples/game_loop/host_device.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace {

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw std::runtime_error(std::string(what) + " failed with VkResult " + std::to_string(r));
}

// A family that draws and computes, and presents to `surface` when there is one.
bool find_family(VkPhysicalDevice physical, VkSurfaceKHR surface, uint32_t& family) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
  for (uint32_t i = 0; i < count; ++i) {
    const VkQueueFlags need = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT;
    if ((families[i].queueFlags & need) != need) continue;
    VkBool32 present = VK_TRUE;
    if (surface != VK_NULL_HANDLE) vkGetPhysicalDeviceSurfaceSupportKHR(physical, i, surface, &present);
    if (present) {
      family = i;
      return true;
    }
  }
  return false;
}

}  // namespace

HostDevice::HostDevice(GLFWwindow* window, bool validation) {
  std::vector<const char*> instance_extensions;
  if (window != nullptr) {
    uint32_t n = 0;
    const char** glfw = glfwGetRequiredInstanceExtensions(&n);
    instance_extensions.assign(glfw, glfw + n);
  }
  const char* layer = "VK_LAYER_KHRONOS_validation";
  VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT;
  messenger.pfnUserCallback = &HostDevice::on_message;
  messenger.pUserData = this;
  if (validation) instance_extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vkmoe game_loop";
  app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<uint32_t>(instance_extensions.size());
  info.ppEnabledExtensionNames = instance_extensions.data();
  if (validation) {
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = &layer;
    info.pNext = &messenger;
  }
  check(vkCreateInstance(&info, nullptr, &instance_), "vkCreateInstance");
  if (validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    check(create(instance_, &messenger, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
  }
  if (window != nullptr) check(glfwCreateWindowSurface(instance_, window, nullptr, &surface_), "glfwCreateWindowSurface");

  uint32_t count = 0;
  check(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> devices(count);
  check(vkEnumeratePhysicalDevices(instance_, &count, devices.data()), "vkEnumeratePhysicalDevices");
  std::string why = "no Vulkan device";
  for (VkPhysicalDevice d : devices) {
    requirements_ = vkmoe_device_requirements{};
    requirements_.struct_size = sizeof(requirements_);
    if (vkmoe_get_device_requirements(d, &requirements_) != VKMOE_OK) continue;
    if (!requirements_.usable) {
      why = requirements_.missing;
      continue;
    }
    if (find_family(d, surface_, family_)) {
      physical_ = d;
      break;
    }
    why = "no queue family that draws, computes and presents";
  }
  if (physical_ == VK_NULL_HANDLE) throw std::runtime_error("no device for the game and vkmoe: " + why);
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical_, &props);
  name_ = props.deviceName;

  const vkmoe_device_requirements& r = requirements_;
  for (uint32_t i = 0; i < r.required_extension_count; ++i) extensions_.push_back(r.required_extensions[i]);
  for (uint32_t i = 0; i < r.optional_extension_count; ++i) extensions_.push_back(r.optional_extensions[i]);
  if (window != nullptr) extensions_.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueFamilyIndex = family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.pNext = &requirements_.features;  // vkmoe's features; the game needs none beyond them
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue;
  device_info.enabledExtensionCount = static_cast<uint32_t>(extensions_.size());
  device_info.ppEnabledExtensionNames = extensions_.data();
  check(vkCreateDevice(physical_, &device_info, nullptr, &device_), "vkCreateDevice");
  vkGetDeviceQueue(device_, family_, 0, &queue_);
}

HostDevice::~HostDevice() {
  if (device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
  if (surface_ != VK_NULL_HANDLE) vkDestroySurfaceKHR(instance_, surface_, nullptr);
  if (messenger_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    destroy(instance_, messenger_, nullptr);
  }
  if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

vkmoe_external_device HostDevice::external_device() {
  vkmoe_external_device e{};
  e.struct_size = sizeof(e);
  e.instance = instance_;
  e.physical_device = physical_;
  e.device = device_;
  e.compute_queue_family = family_;
  e.compute_queue = queue_;
  e.lock_queue = [](void* user, VkQueue) { static_cast<HostDevice*>(user)->queue_mutex_.lock(); };
  e.unlock_queue = [](void* user, VkQueue) { static_cast<HostDevice*>(user)->queue_mutex_.unlock(); };
  e.queue_lock_user_data = this;
  e.enabled_extension_count = static_cast<uint32_t>(extensions_.size());
  e.enabled_extensions = extensions_.data();
  e.enabled_features = &requirements_.features;
  e.get_instance_proc_addr = vkGetInstanceProcAddr;
  e.get_device_proc_addr = vkGetDeviceProcAddr;
  return e;
}

void HostDevice::submit(const VkSubmitInfo& info, VkFence fence) {
  std::lock_guard lock(queue_mutex_);
  check(vkQueueSubmit(queue_, 1, &info, fence), "vkQueueSubmit");
}

VkResult HostDevice::present(const VkPresentInfoKHR& info) {
  std::lock_guard lock(queue_mutex_);
  return vkQueuePresentKHR(queue_, &info);
}

VkBool32 HostDevice::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* self = static_cast<HostDevice*>(user);
  ++self->messages_;
  std::fprintf(stderr, "validation: %s\n", data->pMessage != nullptr ? data->pMessage : "");
  return VK_FALSE;
}
