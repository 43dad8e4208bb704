#include "engine/vk/device_features.h"

#include <algorithm>

namespace vkmoe::vk {

std::vector<const char*> required_device_extensions() { return {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME}; }

std::vector<const char*> optional_device_extensions(const DeviceCaps& caps) {
  std::vector<const char*> out;
  if (caps.memory_budget) out.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (caps.external_memory_host) out.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  if (caps.coopmat_f16.available()) out.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
  return out;
}

DeviceFeatureChain::DeviceFeatureChain(const DeviceCaps& caps) {
  f11_.storageBuffer16BitAccess = VK_TRUE;
  f12_.storageBuffer8BitAccess = VK_TRUE;
  f12_.timelineSemaphore = VK_TRUE;
  f12_.shaderFloat16 = caps.float16_arithmetic;
  f12_.shaderInt8 = caps.int8_arithmetic;
  features_.features.shaderInt16 = caps.int16;
  features_.features.shaderInt64 = caps.int64;
  features_.pNext = &f11_;
  f11_.pNext = &f12_;
  void** tail = &f12_.pNext;
  if (caps.subgroup_size_control) {
    size_control_.subgroupSizeControl = VK_TRUE;
    size_control_.computeFullSubgroups = VK_TRUE;
    *tail = &size_control_;
    tail = &size_control_.pNext;
  }
  if (caps.coopmat_f16.available()) {
    // The cooperative-matrix shaders declare the Vulkan memory model (their subgroup scope).
    coopmat_.cooperativeMatrix = VK_TRUE;
    f12_.vulkanMemoryModel = VK_TRUE;
    *tail = &coopmat_;
  }
}

void restrict_to_enabled(DeviceCaps& caps, const std::vector<std::string>& extensions, const VkPhysicalDeviceFeatures2* features) {
  auto enabled = [&](const char* name) { return std::find(extensions.begin(), extensions.end(), name) != extensions.end(); };
  VkPhysicalDeviceFeatures core{};
  VkPhysicalDeviceVulkan11Features f11{};
  VkPhysicalDeviceVulkan12Features f12{};
  VkPhysicalDeviceSubgroupSizeControlFeatures size_control{};
  if (features != nullptr) core = features->features;
  for (auto* s = features != nullptr ? static_cast<const VkBaseInStructure*>(features->pNext) : nullptr; s != nullptr; s = s->pNext) {
    switch (s->sType) {
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES:
        f11 = *reinterpret_cast<const VkPhysicalDeviceVulkan11Features*>(s);
        break;
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
        f12 = *reinterpret_cast<const VkPhysicalDeviceVulkan12Features*>(s);
        break;
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES:
        size_control = *reinterpret_cast<const VkPhysicalDeviceSubgroupSizeControlFeatures*>(s);
        break;
      default:
        break;
    }
  }
  const bool given = features != nullptr;
  if (given && !f11.storageBuffer16BitAccess) caps.missing.push_back("storageBuffer16BitAccess (not enabled by the host)");
  if (given && !f12.storageBuffer8BitAccess) caps.missing.push_back("storageBuffer8BitAccess (not enabled by the host)");
  if (given && !f12.timelineSemaphore) caps.missing.push_back("timelineSemaphore (not enabled by the host)");
  for (const char* name : required_device_extensions()) {
    if (!enabled(name)) caps.missing.push_back(std::string(name) + " (not enabled by the host)");
  }
  caps.float16_arithmetic = caps.float16_arithmetic && f12.shaderFloat16;
  caps.int8_arithmetic = caps.int8_arithmetic && f12.shaderInt8;
  caps.int16 = caps.int16 && core.shaderInt16;
  caps.int64 = caps.int64 && core.shaderInt64;
  caps.subgroup_size_control = caps.subgroup_size_control && size_control.subgroupSizeControl && size_control.computeFullSubgroups;
  caps.memory_budget = caps.memory_budget && enabled(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  caps.external_memory_host = caps.external_memory_host && enabled(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  // vkmoe's own device only: vkmoe_get_device_requirements does not ask a host for it.
  caps.coopmat_f16 = {};
}

}  // namespace vkmoe::vk
