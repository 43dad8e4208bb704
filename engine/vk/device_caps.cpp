#include "engine/vk/device_caps.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "engine/vk/check.h"

namespace vkmoe::vk {
namespace {

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  return std::any_of(exts.begin(), exts.end(), [&](const auto& e) { return std::strcmp(e.extensionName, name) == 0; });
}

std::string bytes_text(uint64_t b) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0) << " GiB";
  return s.str();
}

CoopmatShape list_coopmat_shape(VkInstance instance, VkPhysicalDevice physical) {
  auto list = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
  if (list == nullptr) return {};
  uint32_t count = 0;
  VKMOE_VK_CHECK(list(physical, &count, nullptr));
  std::vector<VkCooperativeMatrixPropertiesNV> shapes(count, {VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV});
  VKMOE_VK_CHECK(list(physical, &count, shapes.data()));
  return choose_coopmat_shape(shapes);
}

bool coopmat_turned_off() {
  const char* v = std::getenv("VKMOE_COOPMAT");
  return v != nullptr && std::strcmp(v, "0") == 0;
}

// VKMOE_GEMV_LAYOUT (unset or empty: by device type).
DeviceCaps::GemvLayoutSetting gemv_layout_setting() {
  const char* v = std::getenv("VKMOE_GEMV_LAYOUT");
  if (v == nullptr || *v == '\0') return DeviceCaps::GemvLayoutSetting::kByDeviceType;
  if (std::strcmp(v, "gpu") == 0) return DeviceCaps::GemvLayoutSetting::kGpu;
  if (std::strcmp(v, "cpu") == 0) return DeviceCaps::GemvLayoutSetting::kCpu;
  throw Error(ErrorCode::kInvalidArgument, std::string("VKMOE_GEMV_LAYOUT expects gpu or cpu, got '") + v + "'");
}

}  // namespace

bool DeviceCaps::cpu_gemv_layout() const {
  switch (gemv_layout_setting) {
    case GemvLayoutSetting::kGpu: return false;
    case GemvLayoutSetting::kCpu: return true;
    case GemvLayoutSetting::kByDeviceType: break;
  }
  return type == VK_PHYSICAL_DEVICE_TYPE_CPU && int64;
}

CoopmatShape choose_coopmat_shape(std::span<const VkCooperativeMatrixPropertiesNV> listed) {
  CoopmatShape best;
  for (const auto& s : listed) {
    const bool types = s.AType == VK_COMPONENT_TYPE_FLOAT16_NV && s.BType == VK_COMPONENT_TYPE_FLOAT16_NV &&
                       s.CType == VK_COMPONENT_TYPE_FLOAT32_NV && s.DType == VK_COMPONENT_TYPE_FLOAT32_NV &&
                       s.scope == VK_SCOPE_SUBGROUP_NV;
    const bool fits = s.MSize != 0 && s.NSize != 0 && s.KSize != 0 && 16 % s.MSize == 0 && 16 % s.NSize == 0 &&
                      32 % s.KSize == 0;
    if (types && fits && s.MSize * s.NSize * s.KSize > best.m * best.n * best.k) best = {s.MSize, s.NSize, s.KSize};
  }
  return best;
}

const char* device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

DeviceCaps query_device_caps(VkPhysicalDevice physical, VkInstance instance) {
  DeviceCaps caps;
  uint32_t ext_count = 0;
  VKMOE_VK_CHECK(vkEnumerateDeviceExtensionProperties(physical, nullptr, &ext_count, nullptr));
  std::vector<VkExtensionProperties> exts(ext_count);
  VKMOE_VK_CHECK(vkEnumerateDeviceExtensionProperties(physical, nullptr, &ext_count, exts.data()));

  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceSubgroupSizeControlProperties size_control{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &subgroup;
  subgroup.pNext = &driver;
  driver.pNext = &size_control;
  vkGetPhysicalDeviceProperties2(physical, &props);
  const auto& p = props.properties;
  caps.name = p.deviceName;
  caps.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  caps.vendor_id = p.vendorID;
  caps.device_id = p.deviceID;
  caps.type = p.deviceType;
  caps.api_version = p.apiVersion;
  caps.subgroup_size = subgroup.subgroupSize;
  caps.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                             (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
  caps.subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                          (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
  caps.min_subgroup_size = size_control.minSubgroupSize != 0 ? size_control.minSubgroupSize : subgroup.subgroupSize;
  caps.max_subgroup_size = size_control.maxSubgroupSize != 0 ? size_control.maxSubgroupSize : subgroup.subgroupSize;
  caps.max_shared_memory = p.limits.maxComputeSharedMemorySize;
  caps.max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
  for (int i = 0; i < 3; ++i) caps.max_workgroup_count[i] = p.limits.maxComputeWorkGroupCount[i];
  caps.max_push_constants = p.limits.maxPushConstantsSize;
  caps.max_storage_buffer_range = p.limits.maxStorageBufferRange;
  caps.min_storage_buffer_offset_alignment = p.limits.minStorageBufferOffsetAlignment;
  caps.max_texel_buffer_elements = p.limits.maxTexelBufferElements;
  caps.min_texel_buffer_offset_alignment = p.limits.minTexelBufferOffsetAlignment;
  caps.timestamp_period_ns = p.limits.timestampPeriod;

  VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 props_m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props_m3.pNext = &m3;
  vkGetPhysicalDeviceProperties2(physical, &props_m3);
  caps.max_memory_allocation_size = m3.maxMemoryAllocationSize;

  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceSubgroupSizeControlFeatures fsize{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  VkPhysicalDeviceCooperativeMatrixFeaturesNV fcoopmat{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
  features.pNext = &f11;
  f11.pNext = &f12;
  f12.pNext = &fsize;
  caps.cooperative_matrix_nv = has_extension(exts, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
  if (caps.cooperative_matrix_nv) fsize.pNext = &fcoopmat;
  if (p.apiVersion >= VK_API_VERSION_1_2) vkGetPhysicalDeviceFeatures2(physical, &features);
  caps.storage_16bit = f11.storageBuffer16BitAccess;
  caps.storage_8bit = f12.storageBuffer8BitAccess;
  caps.float16_arithmetic = f12.shaderFloat16;
  caps.int8_arithmetic = f12.shaderInt8;
  caps.int16 = features.features.shaderInt16;
  caps.int64 = features.features.shaderInt64;
  caps.gemv_layout_setting = gemv_layout_setting();
  caps.timeline_semaphore = f12.timelineSemaphore;
  caps.subgroup_size_control = fsize.subgroupSizeControl && fsize.computeFullSubgroups;

  caps.push_descriptor = has_extension(exts, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  caps.memory_budget = has_extension(exts, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  caps.external_memory_host = has_extension(exts, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  caps.integer_dot_product = has_extension(exts, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
  caps.cooperative_matrix_khr = has_extension(exts, "VK_KHR_cooperative_matrix");
  if (caps.cooperative_matrix_nv && fcoopmat.cooperativeMatrix && f12.shaderFloat16 && f12.vulkanMemoryModel &&
      instance != VK_NULL_HANDLE && !coopmat_turned_off()) {
    VkPhysicalDeviceCooperativeMatrixPropertiesNV stages{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_PROPERTIES_NV};
    VkPhysicalDeviceProperties2 props_coopmat{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props_coopmat.pNext = &stages;
    vkGetPhysicalDeviceProperties2(physical, &props_coopmat);
    if (stages.cooperativeMatrixSupportedStages & VK_SHADER_STAGE_COMPUTE_BIT) caps.coopmat_f16 = list_coopmat_shape(instance, physical);
  }
  caps.float32_atomic_add = has_extension(exts, VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME);

  VkPhysicalDeviceMemoryProperties mem{};
  vkGetPhysicalDeviceMemoryProperties(physical, &mem);
  caps.unified_memory = true;
  for (uint32_t h = 0; h < mem.memoryHeapCount; ++h) {
    if (mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
      caps.device_local_bytes = std::max<uint64_t>(caps.device_local_bytes, mem.memoryHeaps[h].size);
    } else {
      caps.unified_memory = false;
    }
  }
  for (uint32_t t = 0; t < mem.memoryTypeCount; ++t) {
    auto f = mem.memoryTypes[t].propertyFlags;
    if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
      caps.device_local_host_visible = true;
    }
  }

  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &family_count, families.data());
  for (uint32_t i = 0; i < family_count; ++i) {
    auto flags = families[i].queueFlags;
    // Prefer a compute family without graphics: it does not compete with a renderer.
    if (flags & VK_QUEUE_COMPUTE_BIT) {
      bool current_has_graphics = caps.compute_family != UINT32_MAX &&
                                  (families[caps.compute_family].queueFlags & VK_QUEUE_GRAPHICS_BIT);
      if (caps.compute_family == UINT32_MAX || (current_has_graphics && !(flags & VK_QUEUE_GRAPHICS_BIT))) {
        caps.compute_family = i;
      }
    }
    if ((flags & VK_QUEUE_TRANSFER_BIT) && !(flags & (VK_QUEUE_COMPUTE_BIT | VK_QUEUE_GRAPHICS_BIT)) &&
        caps.transfer_family == UINT32_MAX) {
      caps.transfer_family = i;
    }
  }
  if (caps.compute_family != UINT32_MAX) caps.timestamps = families[caps.compute_family].timestampValidBits > 0;

  if (p.apiVersion < VK_API_VERSION_1_2) caps.missing.push_back("Vulkan 1.2");
  if (caps.compute_family == UINT32_MAX) caps.missing.push_back("a compute queue");
  if (!caps.storage_16bit) caps.missing.push_back("storageBuffer16BitAccess");
  if (!caps.storage_8bit) caps.missing.push_back("storageBuffer8BitAccess");
  if (!caps.timeline_semaphore) caps.missing.push_back("timelineSemaphore");
  if (!caps.push_descriptor) caps.missing.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  if (!caps.subgroup_arithmetic) caps.missing.push_back("subgroup arithmetic in compute shaders");
  if (!caps.subgroup_shuffle) caps.missing.push_back("subgroup shuffle in compute shaders");
  return caps;
}

std::string describe_device_caps(const DeviceCaps& c) {
  std::ostringstream s;
  auto yn = [](bool b) { return b ? "yes" : "no"; };
  s << c.name << " (" << device_type_name(c.type) << ", Vulkan " << VK_API_VERSION_MAJOR(c.api_version) << "."
    << VK_API_VERSION_MINOR(c.api_version) << "." << VK_API_VERSION_PATCH(c.api_version) << ")\n";
  s << "    driver:               " << c.driver << "\n";
  s << "    device-local memory:  " << bytes_text(c.device_local_bytes)
    << (c.unified_memory ? " (unified with host)" : "") << (c.device_local_host_visible ? ", host-visible BAR" : "") << "\n";
  s << "    subgroup size:        " << c.subgroup_size << " (" << c.min_subgroup_size << "-" << c.max_subgroup_size
    << ", size control " << yn(c.subgroup_size_control) << ", arithmetic " << yn(c.subgroup_arithmetic)
    << ", shuffle " << yn(c.subgroup_shuffle) << ")\n";
  s << "    shared memory:        " << c.max_shared_memory / 1024 << " KiB per workgroup, "
    << c.max_workgroup_invocations << " invocations\n";
  s << "    storage buffer range: " << c.max_storage_buffer_range << " bytes; max allocation "
    << c.max_memory_allocation_size << " bytes\n";
  s << "    16/8-bit storage:     " << yn(c.storage_16bit) << " / " << yn(c.storage_8bit) << "; fp16 math "
    << yn(c.float16_arithmetic) << ", int8 math " << yn(c.int8_arithmetic) << ", int dot product "
    << yn(c.integer_dot_product) << "\n";
  s << "    cooperative matrix:   NV " << yn(c.cooperative_matrix_nv) << ", KHR " << yn(c.cooperative_matrix_khr);
  if (c.coopmat_f16.available()) {
    s << "; prefill GEMM on " << c.coopmat_f16.m << "x" << c.coopmat_f16.n << "x" << c.coopmat_f16.k << " half fragments";
  } else if (c.cooperative_matrix_nv && coopmat_turned_off()) {
    s << "; unused (VKMOE_COOPMAT=0)";
  }
  s << "\n";
  s << "    decode GEMV layout:   " << (c.cpu_gemv_layout() ? "cpu (8 rows per subgroup)" : "gpu (a subgroup or part of one per row)")
    << (c.gemv_layout_setting != DeviceCaps::GemvLayoutSetting::kByDeviceType ? ", set by VKMOE_GEMV_LAYOUT" : "") << "\n";
  s << "    memory budget ext:    " << yn(c.memory_budget) << "; transfer queue " << yn(c.has_transfer_queue())
    << "; timestamps " << yn(c.timestamps) << "\n";
  if (c.usable()) {
    s << "    usable by vkmoe:      yes\n";
  } else {
    s << "    usable by vkmoe:      no, missing";
    for (const auto& m : c.missing) s << " " << m;
    s << "\n";
  }
  return s.str();
}

}  // namespace vkmoe::vk
