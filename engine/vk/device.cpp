#include "engine/vk/device.h"

#include <vector>

#include "engine/vk/check.h"
#include "engine/vk/device_features.h"

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

  std::vector<const char*> extensions = required_device_extensions();
  for (const char* name : optional_device_extensions(caps)) extensions.push_back(name);
  DeviceFeatureChain features(caps);

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = features.head();
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
  self->load_functions(vkGetDeviceProcAddr);
  self->texel_views_ = std::make_unique<TexelViews>(self->device_, self->caps_);
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
  restrict_to_enabled(self->caps_, ext.enabled_extensions, ext.enabled_features);
  if (!self->caps_.usable()) {
    std::string missing;
    for (const auto& m : self->caps_.missing) missing += " " + m;
    throw Error(ErrorCode::kNoDevice, self->caps_.name + " cannot run vkmoe: missing" + missing);
  }
  self->caps_.compute_family = ext.compute_family;
  self->caps_.transfer_family = ext.transfer_queue != VK_NULL_HANDLE ? ext.transfer_family : UINT32_MAX;
  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(ext.physical, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(ext.physical, &family_count, families.data());
  if (ext.compute_family >= family_count || !(families[ext.compute_family].queueFlags & VK_QUEUE_COMPUTE_BIT)) {
    throw Error(ErrorCode::kInvalidArgument, "Device::adopt: queue family " + std::to_string(ext.compute_family) +
                                                 " is not a compute queue family of " + self->caps_.name);
  }
  if (ext.transfer_queue != VK_NULL_HANDLE && ext.transfer_family >= family_count) {
    throw Error(ErrorCode::kInvalidArgument, "Device::adopt: transfer queue family " + std::to_string(ext.transfer_family) +
                                                 " does not exist on " + self->caps_.name);
  }
  self->caps_.timestamps = families[ext.compute_family].timestampValidBits > 0;
  self->compute_.handle = ext.compute_queue;
  self->compute_.family = ext.compute_family;
  self->compute_.host_lock = ext.queue_lock;
  if (ext.transfer_queue != VK_NULL_HANDLE) {
    self->transfer_.handle = ext.transfer_queue;
    self->transfer_.family = ext.transfer_family;
    self->transfer_.host_lock = ext.queue_lock;
    // One VkQueue handed over twice is still one queue: one mutex guards it.
    if (ext.transfer_queue == ext.compute_queue) self->transfer_.submit_mutex = self->compute_.submit_mutex;
  }
  self->load_functions(ext.get_device_proc_addr != nullptr ? ext.get_device_proc_addr : vkGetDeviceProcAddr);
  self->texel_views_ = std::make_unique<TexelViews>(self->device_, self->caps_);
  return self;
}

void Device::load_functions(PFN_vkGetDeviceProcAddr get_proc) {
  push_descriptor_ = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(get_proc(device_, "vkCmdPushDescriptorSetKHR"));
  if (push_descriptor_ == nullptr) {
    throw Error(ErrorCode::kNoDevice, "vkCmdPushDescriptorSetKHR is unavailable: enable VK_KHR_push_descriptor on the device");
  }
}

Device::~Device() {
  texel_views_.reset();
  if (owned_ && device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
}

void Device::wait_idle() const { VKMOE_VK_CHECK(vkDeviceWaitIdle(device_)); }

}  // namespace vkmoe::vk
