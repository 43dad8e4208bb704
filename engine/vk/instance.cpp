#include "engine/vk/instance.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/vk/check.h"

namespace vkmoe::vk {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, "0") != 0 && v[0] != '\0';
}

bool has_layer(const char* name) {
  uint32_t count = 0;
  VKMOE_VK_CHECK(vkEnumerateInstanceLayerProperties(&count, nullptr));
  std::vector<VkLayerProperties> layers(count);
  VKMOE_VK_CHECK(vkEnumerateInstanceLayerProperties(&count, layers.data()));
  for (const auto& l : layers) {
    if (std::strcmp(l.layerName, name) == 0) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<Instance> Instance::create(const InstanceOptions& options) {
  bool validation = options.validation || env_flag("VKMOE_VALIDATION");
  uint32_t api = 0;
  if (vkEnumerateInstanceVersion(&api) != VK_SUCCESS || api < VK_API_VERSION_1_2) {
    throw Error(ErrorCode::kNoDevice, "the Vulkan loader supports only Vulkan " + std::to_string(VK_API_VERSION_MAJOR(api)) + "." +
                                          std::to_string(VK_API_VERSION_MINOR(api)) + "; vkmoe needs 1.2 or newer");
  }
  if (validation && !has_layer(kValidationLayer)) {
    throw Error(ErrorCode::kNoDevice, std::string("validation was requested but ") + kValidationLayer +
                                          " is not installed (Debian: vulkan-validationlayers)");
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vkmoe";
  app.pEngineName = "vkmoe";
  app.apiVersion = VK_API_VERSION_1_3;

  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  // Synchronization validation catches missing barriers between our dispatches.
  VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = enables;
  VkDebugUtilsMessengerCreateInfoEXT messenger_info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT;
  messenger_info.pfnUserCallback = &Instance::on_message;

  std::unique_ptr<Instance> self(new Instance());
  messenger_info.pUserData = self.get();

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  if (validation) {
    layers.push_back(kValidationLayer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    features.pNext = &messenger_info;
    info.pNext = &features;
  }
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkResult r = vkCreateInstance(&info, nullptr, &self->instance_);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED) {
    throw Error(ErrorCode::kNoDevice, std::string("no Vulkan driver could be loaded (vkCreateInstance: ") + result_name(r) +
                                          "); install a GPU driver, or Mesa's lavapipe (mesa-vulkan-drivers) to run on the CPU");
  }
  VKMOE_VK_CHECK(r);
  self->owned_ = true;
  if (validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(self->instance_, "vkCreateDebugUtilsMessengerEXT"));
    if (create == nullptr) throw Error(ErrorCode::kInternal, "vkCreateDebugUtilsMessengerEXT is not available");
    VKMOE_VK_CHECK(create(self->instance_, &messenger_info, nullptr, &self->messenger_));
  }
  return self;
}

std::unique_ptr<Instance> Instance::adopt(VkInstance external) {
  if (external == VK_NULL_HANDLE) throw Error(ErrorCode::kInvalidArgument, "Instance::adopt: VkInstance is null");
  std::unique_ptr<Instance> self(new Instance());
  self->instance_ = external;
  return self;
}

Instance::~Instance() {
  if (messenger_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy != nullptr) destroy(instance_, messenger_, nullptr);
  }
  if (owned_) vkDestroyInstance(instance_, nullptr);
}

std::string Instance::last_validation_message() const {
  std::lock_guard lock(message_mutex_);
  return last_message_;
}

void Instance::reset_validation_messages() {
  std::lock_guard lock(message_mutex_);
  message_count_ = 0;
  last_message_.clear();
}

VkBool32 Instance::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT,
                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* self = static_cast<Instance*>(user);
  std::string text = data != nullptr && data->pMessage != nullptr ? data->pMessage : "(no message)";
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    spdlog::error("Vulkan validation: {}", text);
  } else {
    spdlog::warn("Vulkan validation: {}", text);
  }
  {
    std::lock_guard lock(self->message_mutex_);
    self->last_message_ = text;
  }
  ++self->message_count_;
  return VK_FALSE;
}

}  // namespace vkmoe::vk
