#include "engine/vk/texel_views.h"

#include <algorithm>
#include <string>

#include "engine/vk/check.h"
#include "engine/vk/device_caps.h"

namespace vkmoe::vk {
namespace {

VkFormat texel_vk_format(TexelFormat format) {
  return format == TexelFormat::kWords ? VK_FORMAT_R32G32_UINT : VK_FORMAT_R32G32B32A32_UINT;
}

VkDeviceSize texel_bytes(TexelFormat format) { return format == TexelFormat::kWords ? 8 : 16; }

}  // namespace

TexelViews::~TexelViews() {
  for (const auto& [buffer, tracked] : buffers_) {
    for (const auto& [key, view] : tracked.views) vkDestroyBufferView(device_, view, nullptr);
  }
}

void TexelViews::track(VkBuffer buffer, VkDeviceSize size) {
  std::lock_guard lock(mutex_);
  buffers_[buffer] = Tracked{size, {}};
}

void TexelViews::forget(VkBuffer buffer) {
  std::lock_guard lock(mutex_);
  auto it = buffers_.find(buffer);
  if (it == buffers_.end()) return;
  for (const auto& [key, view] : it->second.views) vkDestroyBufferView(device_, view, nullptr);
  buffers_.erase(it);
}

VkBufferView TexelViews::view(const BufferRange& range, TexelFormat format) {
  std::lock_guard lock(mutex_);
  auto it = buffers_.find(range.buffer);
  if (it == buffers_.end() || range.offset > it->second.size || range.size > it->second.size - range.offset) {
    throw Error(ErrorCode::kInternal, "texel view of a range outside any buffer vkmoe made");
  }
  Tracked& tracked = it->second;
  const auto key = std::make_pair(range.offset, format);
  if (auto v = tracked.views.find(key); v != tracked.views.end()) return v->second;
  const VkDeviceSize bytes = texel_bytes(format);
  const VkDeviceSize needed = range.size / bytes;
  const VkDeviceSize texels = std::min<VkDeviceSize>((tracked.size - range.offset) / bytes, caps_.max_texel_buffer_elements);
  const VkDeviceSize alignment = std::max<VkDeviceSize>(caps_.min_texel_buffer_offset_alignment, 1);
  if (texels == 0 || texels < needed || range.offset % alignment != 0) {
    throw Error(ErrorCode::kUnsupported, "a texel-buffer view of " + std::to_string(range.size) + " bytes at offset " +
                                             std::to_string(range.offset) + " is outside the device's limits (" +
                                             std::to_string(caps_.max_texel_buffer_elements) + " texels of " +
                                             std::to_string(bytes) + " bytes, offsets aligned to " + std::to_string(alignment) + " bytes)");
  }
  VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  info.buffer = range.buffer;
  info.format = texel_vk_format(format);
  info.offset = range.offset;
  info.range = texels * bytes;
  VkBufferView view = VK_NULL_HANDLE;
  VKMOE_VK_CHECK(vkCreateBufferView(device_, &info, nullptr, &view));
  tracked.views.emplace(key, view);
  return view;
}

size_t TexelViews::view_count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [buffer, tracked] : buffers_) n += tracked.views.size();
  return n;
}

}  // namespace vkmoe::vk
