#include "engine/vk/device_selection.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "engine/vk/check.h"

namespace vkmoe::vk {
namespace {

int type_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string device_list(const std::vector<PhysicalDeviceEntry>& devices) {
  std::string out;
  for (const auto& d : devices) {
    out += "\n  [" + std::to_string(d.index) + "] " + d.caps.name;
    if (!d.caps.usable()) {
      out += " (missing:";
      for (const auto& m : d.caps.missing) out += " " + m;
      out += ")";
    }
  }
  return out;
}

}  // namespace

std::vector<PhysicalDeviceEntry> enumerate_physical_devices(VkInstance instance) {
  uint32_t count = 0;
  VKMOE_VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
  std::vector<VkPhysicalDevice> handles(count);
  VKMOE_VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, handles.data()));
  std::vector<PhysicalDeviceEntry> out;
  for (uint32_t i = 0; i < count; ++i) out.push_back({i, handles[i], query_device_caps(handles[i], instance)});
  return out;
}

PhysicalDeviceEntry select_physical_device(VkInstance instance, const std::string& selector_arg) {
  auto devices = enumerate_physical_devices(instance);
  if (devices.empty()) {
    throw Error(ErrorCode::kNoDevice, "no Vulkan device found; install a GPU driver, or Mesa's lavapipe (mesa-vulkan-drivers) to run on the CPU");
  }
  std::string selector = selector_arg;
  if (selector.empty()) {
    const char* env = std::getenv("VKMOE_DEVICE");
    if (env != nullptr) selector = env;
  }
  if (!selector.empty()) {
    bool numeric = std::all_of(selector.begin(), selector.end(), [](unsigned char c) { return std::isdigit(c); });
    for (const auto& d : devices) {
      bool match = numeric ? std::to_string(d.index) == selector : lower(d.caps.name).find(lower(selector)) != std::string::npos;
      if (!match) continue;
      if (!d.caps.usable()) {
        throw Error(ErrorCode::kNoDevice, "device '" + selector + "' (" + d.caps.name + ") cannot run vkmoe:" + device_list({d}));
      }
      return d;
    }
    throw Error(ErrorCode::kNoDevice, "no Vulkan device matches VKMOE_DEVICE='" + selector + "'; devices:" + device_list(devices));
  }
  const PhysicalDeviceEntry* best = nullptr;
  for (const auto& d : devices) {
    if (!d.caps.usable()) continue;
    if (best == nullptr || type_rank(d.caps.type) < type_rank(best->caps.type)) best = &d;
  }
  if (best == nullptr) throw Error(ErrorCode::kNoDevice, "no Vulkan device has what vkmoe needs:" + device_list(devices));
  return *best;
}

}  // namespace vkmoe::vk
