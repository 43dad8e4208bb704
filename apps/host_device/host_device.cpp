#include "apps/host_device/host_device.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <cstdio>
#include <stdexcept>

namespace vkmoe_host {

void check_vk(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw std::runtime_error(std::string(what) + " failed with VkResult " + std::to_string(r));
}

namespace {

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
    if (surface != VK_NULL_HANDLE) check_vk(vkGetPhysicalDeviceSurfaceSupportKHR(physical, i, surface, &present), "surface support");
    if (present) {
      family = i;
      return true;
    }
  }
  return false;
}

}  // namespace

HostDevice::HostDevice(const HostDeviceOptions& options) {
  create_instance(options);
  choose_physical_device(options.device_selector);
  create_device(options.window != nullptr);
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

void HostDevice::create_instance(const HostDeviceOptions& options) {
  std::vector<const char*> extensions;
  if (options.window != nullptr) {
    uint32_t n = 0;
    const char** glfw = glfwGetRequiredInstanceExtensions(&n);
    if (glfw == nullptr) throw std::runtime_error("GLFW finds no Vulkan surface support");
    extensions.assign(glfw, glfw + n);
  }
  const char* layer = "VK_LAYER_KHRONOS_validation";
  VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT;
  messenger.pfnUserCallback = &HostDevice::on_message;
  messenger.pUserData = this;
  if (options.validation) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = options.application_name;
  app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  if (options.validation) {
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = &layer;
    info.pNext = &messenger;  // also reports on vkCreateInstance itself
  }
  check_vk(vkCreateInstance(&info, nullptr, &instance_), "vkCreateInstance");
  if (options.validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    check_vk(create(instance_, &messenger, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
  }
  if (options.window != nullptr) {
    check_vk(glfwCreateWindowSurface(instance_, options.window, nullptr, &surface_), "glfwCreateWindowSurface");
  }
}

void HostDevice::choose_physical_device(const std::string& selector) {
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
      problem = surface_ != VK_NULL_HANDLE ? "no queue family that draws, computes and presents"
                                           : "no queue family that draws and computes";
    }
    device_names_.push_back(std::string(props.deviceName) + (problem.empty() ? "" : " (" + problem + ")"));
    const bool wanted = selector.empty() || std::string(props.deviceName).find(selector) != std::string::npos;
    if (!problem.empty()) why = std::string(props.deviceName) + ": " + problem;
    if (physical_ != VK_NULL_HANDLE || !problem.empty() || !wanted) continue;
    physical_ = d;
    family_ = family;
    name_ = props.deviceName;
  }
  if (physical_ == VK_NULL_HANDLE) {
    throw std::runtime_error(selector.empty() ? "no device for this program and vkmoe: " + why
                                              : "no usable device matches '" + selector + "'");
  }
}

void HostDevice::create_device(bool swapchain) {
  // The requirements' pNext chain points into the struct it was filled in, so the chosen
  // device's go straight into the member (a copy would point back into a local).
  requirements_ = vkmoe_device_requirements{};
  requirements_.struct_size = sizeof(requirements_);
  if (vkmoe_get_device_requirements(physical_, &requirements_) != VKMOE_OK) {
    throw std::runtime_error("vkmoe_get_device_requirements failed");
  }
  const vkmoe_device_requirements& r = requirements_;
  for (uint32_t i = 0; i < r.required_extension_count; ++i) extensions_.push_back(r.required_extensions[i]);
  for (uint32_t i = 0; i < r.optional_extension_count; ++i) extensions_.push_back(r.optional_extensions[i]);
  if (swapchain) extensions_.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueFamilyIndex = family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &requirements_.features;  // vkmoe's features; drawing here needs none beyond them
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions_.size());
  info.ppEnabledExtensionNames = extensions_.data();
  check_vk(vkCreateDevice(physical_, &info, nullptr, &device_), "vkCreateDevice");
  vkGetDeviceQueue(device_, family_, 0, &queue_);
}

uint32_t HostDevice::memory_type(uint32_t type_bits, VkMemoryPropertyFlags flags, const char* what) const {
  VkPhysicalDeviceMemoryProperties props;
  vkGetPhysicalDeviceMemoryProperties(physical_, &props);
  for (uint32_t i = 0; i < props.memoryTypeCount; ++i) {
    if ((type_bits & (1u << i)) && (props.memoryTypes[i].propertyFlags & flags) == flags) return i;
  }
  throw std::runtime_error(std::string("no ") + what);
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
  check_vk(vkQueueSubmit(queue_, 1, &info, fence), "vkQueueSubmit");
}

VkResult HostDevice::present(const VkPresentInfoKHR& info) {
  std::lock_guard lock(queue_mutex_);
  return vkQueuePresentKHR(queue_, &info);
}

VkResult HostDevice::wait_idle() {
  std::lock_guard lock(queue_mutex_);
  return vkQueueWaitIdle(queue_);
}

VkBool32 HostDevice::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* self = static_cast<HostDevice*>(user);
  ++self->messages_;
  std::fprintf(stderr, "validation: %s\n", data->pMessage != nullptr ? data->pMessage : "");
  return VK_FALSE;
}

}  // namespace vkmoe_host
