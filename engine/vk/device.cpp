#include "engine/vk/device.h"

#include <vector>

#include "engine/vk/check.h"

namespace vkmoe::vk {

std::unique_ptr<Device> Device::create(VkPhysicalDevice physical, const DeviceCaps& caps) {
  if (!caps.usable()) {
    std::string missing;
    for (const auto& m : caps.missing) missing += " " + m;
    throw Error(ErrorCode::kNoDevice, caps.name + " cannot run vkmoe: missing" + missing);
  }
  std::unique_ptr<Device> self(new Device());
  self->physical_ = physical;
  self->caps_ = caps;

  float priority = 1.0f;
  std::vector<VkDeviceQueueCreateInfo> queues;
  VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  q.queueFamilyIndex = caps.compute_family;
  q.queueCount = 1;
  q.pQueuePriorities = &priority;
  queues.push_back(q);
  if (caps.has_transfer_queue()) {
    q.queueFamilyIndex = caps.transfer_family;
    queues.push_back(q);
  }

  std::vector<const char*> extensions = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};
  if (caps.memory_budget) extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (caps.external_memory_host) extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);

  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.storageBuffer16BitAccess = VK_TRUE;
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.storageBuffer8BitAccess = VK_TRUE;
  f12.timelineSemaphore = VK_TRUE;
  f12.shaderFloat16 = caps.float16_arithmetic;
  f12.shaderInt8 = caps.int8_arithmetic;
  f11.pNext = &f12;
  VkPhysicalDeviceSubgroupSizeControlFeatures fsize{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES};
  if (caps.subgroup_size_control) {
    fsize.subgroupSizeControl = VK_TRUE;
    fsize.computeFullSubgroups = VK_TRUE;
    f12.pNext = &fsize;
  }
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.features.shaderInt16 = caps.int16;
  features.features.shaderInt64 = caps.int64;
  features.pNext = &f11;

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &features;
  info.queueCreateInfoCount = static_cast<uint32_t>(queues.size());
  info.pQueueCreateInfos = queues.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VKMOE_VK_CHECK(vkCreateDevice(physical, &info, nullptr, &self->device_));
  self->owned_ = true;
  vkGetDeviceQueue(self->device_, caps.compute_family, 0, &self->compute_.handle);
  self->compute_.family = caps.compute_family;
  if (caps.has_transfer_queue()) {
    vkGetDeviceQueue(self->device_, caps.transfer_family, 0, &self->transfer_.handle);
    self->transfer_.family = caps.transfer_family;
  }
  self->load_functions();
  return self;
}

std::unique_ptr<Device> Device::adopt(const ExternalDevice& ext) {
  if (ext.physical == VK_NULL_HANDLE || ext.device == VK_NULL_HANDLE || ext.compute_queue == VK_NULL_HANDLE) {
    throw Error(ErrorCode::kInvalidArgument, "Device::adopt: physical device, device and compute queue are required");
  }
  std::unique_ptr<Device> self(new Device());
  self->physical_ = ext.physical;
  self->device_ = ext.device;
  self->caps_ = query_device_caps(ext.physical);
  if (!self->caps_.usable()) {
    std::string missing;
    for (const auto& m : self->caps_.missing) missing += " " + m;
    throw Error(ErrorCode::kNoDevice, self->caps_.name + " cannot run vkmoe: missing" + missing);
  }
  self->caps_.compute_family = ext.compute_family;
  self->caps_.transfer_family = ext.transfer_queue != VK_NULL_HANDLE ? ext.transfer_family : UINT32_MAX;
  self->compute_.handle = ext.compute_queue;
  self->compute_.family = ext.compute_family;
  if (ext.queue_mutex) self->compute_.submit_mutex = ext.queue_mutex;
  if (ext.transfer_queue != VK_NULL_HANDLE) {
    self->transfer_.handle = ext.transfer_queue;
    self->transfer_.family = ext.transfer_family;
  }
  self->load_functions();
  return self;
}

void Device::load_functions() {
  push_descriptor_ = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(vkGetDeviceProcAddr(device_, "vkCmdPushDescriptorSetKHR"));
  if (push_descriptor_ == nullptr) {
    throw Error(ErrorCode::kNoDevice, "vkCmdPushDescriptorSetKHR is unavailable: enable VK_KHR_push_descriptor on the device");
  }
}

Device::~Device() {
  if (owned_ && device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
}

void Device::wait_idle() const { VKMOE_VK_CHECK(vkDeviceWaitIdle(device_)); }

}  // namespace vkmoe::vk
