// The C API's device side: what a host enables on a device it shares, and contexts on vkmoe's
// own device or on the host's.
#include "engine/api/handles.h"
#include "engine/vk/device_caps.h"
#include "engine/vk/device_features.h"
#include "engine/vk/memory_budget.h"

using namespace vkmoe;
using namespace vkmoe::api;

namespace {


vk::ExternalDevice external_device(const vkmoe_external_device& e) {
  require_struct(e.struct_size, sizeof(vkmoe_external_device), "vkmoe_external_device");
  require(e.instance != VK_NULL_HANDLE && e.physical_device != VK_NULL_HANDLE && e.device != VK_NULL_HANDLE &&
              e.compute_queue != VK_NULL_HANDLE,
          "vkmoe_external_device: instance, physical_device, device and compute_queue are required");
  require((e.lock_queue == nullptr) == (e.unlock_queue == nullptr),
          "vkmoe_external_device: give both lock_queue and unlock_queue, or neither");
  require(e.enabled_extension_count == 0 || e.enabled_extensions != nullptr,
          "vkmoe_external_device: enabled_extensions is NULL but enabled_extension_count is not 0");
  vk::ExternalDevice d;
  d.physical = e.physical_device;
  d.device = e.device;
  d.compute_queue = e.compute_queue;
  d.compute_family = e.compute_queue_family;
  d.transfer_queue = e.transfer_queue;
  d.transfer_family = e.transfer_queue != VK_NULL_HANDLE ? e.transfer_queue_family : UINT32_MAX;
  d.queue_lock = {e.lock_queue, e.unlock_queue, e.queue_lock_user_data};
  for (uint32_t i = 0; i < e.enabled_extension_count; ++i) {
    require(e.enabled_extensions[i] != nullptr, "vkmoe_external_device: an enabled extension name is NULL");
    d.enabled_extensions.emplace_back(e.enabled_extensions[i]);
  }
  d.enabled_features = e.enabled_features;
  d.get_device_proc_addr = e.get_device_proc_addr;
  return d;
}

}  // namespace

extern "C" {

vkmoe_status vkmoe_get_device_requirements(VkPhysicalDevice physical_device, vkmoe_device_requirements* out) {
  if (out == nullptr) return VKMOE_ERROR_INVALID_ARGUMENT;
  if (out->struct_size < sizeof(vkmoe_device_requirements) || physical_device == VK_NULL_HANDLE) {
    return VKMOE_ERROR_INVALID_ARGUMENT;
  }
  LastError ignored;  // no handle to keep a message on: the fields say what is missing
  return guarded(ignored, [&] {
    const vk::DeviceCaps caps = vk::query_device_caps(physical_device);
    const uint32_t size = out->struct_size;
    *out = vkmoe_device_requirements{};
    out->struct_size = size;
    out->min_api_version = VK_API_VERSION_1_2;
    for (const char* name : vk::required_device_extensions()) out->required_extensions[out->required_extension_count++] = name;
    for (const char* name : vk::optional_device_extensions(caps)) out->optional_extensions[out->optional_extension_count++] = name;
    const vk::DeviceFeatureChain chain(caps);
    // Copy the chain's structs, then link them anew inside `out`.
    out->features = *chain.head();
    for (auto* s = static_cast<const VkBaseInStructure*>(chain.head()->pNext); s != nullptr; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES) {
        out->features11 = *reinterpret_cast<const VkPhysicalDeviceVulkan11Features*>(s);
      } else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES) {
        out->features12 = *reinterpret_cast<const VkPhysicalDeviceVulkan12Features*>(s);
      } else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES) {
        out->subgroup_size_control = *reinterpret_cast<const VkPhysicalDeviceSubgroupSizeControlFeatures*>(s);
      }
    }
    out->features.pNext = &out->features11;
    out->features11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    out->features11.pNext = &out->features12;
    out->features12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    out->features12.pNext = nullptr;
    out->subgroup_size_control.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES;
    out->subgroup_size_control.pNext = nullptr;
    if (caps.subgroup_size_control) out->features12.pNext = &out->subgroup_size_control;
    out->compute_queue_family = caps.compute_family;
    out->transfer_queue_family = caps.transfer_family;
    out->usable = caps.usable() ? 1 : 0;
    std::string missing;
    for (const auto& m : caps.missing) missing += (missing.empty() ? "" : ", ") + m;
    copy_text(out->missing, sizeof(out->missing), missing);
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_context_create(const vkmoe_context_create_info* info, vkmoe_context* out_context) {
  if (out_context == nullptr) return VKMOE_ERROR_INVALID_ARGUMENT;
  *out_context = nullptr;
  if (info == nullptr) return VKMOE_ERROR_INVALID_ARGUMENT;
  LastError error;
  const vkmoe_status status = guarded(error, [&] {
    require_struct(info->struct_size, sizeof(vkmoe_context_create_info), "vkmoe_context_create_info");
    auto handle = std::make_unique<vkmoe_context_T>();
    if (info->external_device != nullptr) {
      const vk::ExternalDevice device = external_device(*info->external_device);
      handle->context = vk::Context::adopt(info->external_device->instance, device);
    } else {
      vk::ContextOptions options;
      options.validation = info->enable_validation != 0;
      options.device = info->device_selector != nullptr ? info->device_selector : "";
      handle->context = vk::Context::create(options);
    }
    *out_context = handle.release();
    return VKMOE_OK;
  });
  if (status != VKMOE_OK) copy_text(info->error_message, info->error_message_capacity, error.get());
  return status;
}

void vkmoe_context_destroy(vkmoe_context context) {
  if (!alive(context)) return;
  context->tag = HandleTag::kDead;
  delete context;
}

const char* vkmoe_context_last_error(vkmoe_context context) {
  if (!alive(context)) return "invalid vkmoe_context handle";
  return context->error.get();
}

vkmoe_status vkmoe_context_get_info(vkmoe_context context, vkmoe_context_info* out) {
  if (!alive(context)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(context->error, [&] {
    require(out != nullptr, "vkmoe_context_get_info: out is NULL");
    require_struct(out->struct_size, sizeof(vkmoe_context_info), "vkmoe_context_info");
    vk::Context& ctx = *context->context;
    const uint32_t size = out->struct_size;
    *out = vkmoe_context_info{};
    out->struct_size = size;
    copy_text(out->device_name, sizeof(out->device_name), ctx.caps().name);
    out->owns_device = ctx.device().owned() ? 1 : 0;
    out->free_vram_bytes = vk::free_device_local_bytes(ctx.device());
    out->vram_allocated_bytes = ctx.allocator().stats().device_local_bytes;
    out->validation_messages = ctx.instance().validation_message_count();
    copy_text(out->last_validation_message, sizeof(out->last_validation_message), ctx.instance().last_validation_message());
    return VKMOE_OK;
  });
}

}  // extern "C"
