#pragma once
// The extensions and features vkmoe enables on a device: one recipe used when vkmoe creates
// its own device and handed to a host application that creates the device itself (the C
// API's vkmoe_get_device_requirements). A host device may enable less than the recipe's
// optional part; restrict_to_enabled then narrows the capabilities vkmoe relies on.
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

#include "engine/vk/device_caps.h"

namespace vkmoe::vk {

// Extensions without which vkmoe cannot run.
std::vector<const char*> required_device_extensions();
// Extensions vkmoe uses when the device has them (memory budget, host-memory import,
// cooperative matrices).
std::vector<const char*> optional_device_extensions(const DeviceCaps& caps);

// A VkPhysicalDeviceFeatures2 chain with every feature vkmoe enables on `caps`' device. The
// chain points into the object itself, so it is neither copied nor moved.
class DeviceFeatureChain {
 public:
  explicit DeviceFeatureChain(const DeviceCaps& caps);
  DeviceFeatureChain(const DeviceFeatureChain&) = delete;
  DeviceFeatureChain& operator=(const DeviceFeatureChain&) = delete;
  const VkPhysicalDeviceFeatures2* head() const { return &features_; }

 private:
  VkPhysicalDeviceFeatures2 features_{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  VkPhysicalDeviceVulkan11Features f11_{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceVulkan12Features f12_{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceSubgroupSizeControlFeatures size_control_{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES};
  VkPhysicalDeviceCooperativeMatrixFeaturesNV coopmat_{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
};

// Narrows `caps` to what a host's device enabled: `features` is the chain it passed to
// vkCreateDevice (null: only the required features). Required features or extensions the host
// left out are added to caps.missing.
void restrict_to_enabled(DeviceCaps& caps, const std::vector<std::string>& extensions, const VkPhysicalDeviceFeatures2* features);

}  // namespace vkmoe::vk
