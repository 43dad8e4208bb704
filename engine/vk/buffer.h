#pragma once
// A VkBuffer with its memory. Every buffer can be a storage buffer, a uniform texel buffer
// (texel_views.h) and a copy source/target.
// A descriptor may cover at most maxStorageBufferRange bytes (128 MiB on lavapipe), so kernels
// bind BufferRanges and split work over ranges where a tensor is larger than that.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>

#include "engine/vk/memory_allocator.h"

namespace vkmoe::vk {

struct BufferRange {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
};

class Buffer {
 public:
  Buffer() = default;
  // Throws Error(kOutOfMemory) naming size and memory use.
  static Buffer create(Device& device, MemoryAllocator& allocator, VkDeviceSize size, MemoryUsage usage);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  // Host pointer for host-visible buffers, else nullptr.
  void* mapped() const { return allocation_.mapped; }
  bool valid() const { return buffer_ != VK_NULL_HANDLE; }
  BufferRange range() const { return {buffer_, 0, size_}; }
  BufferRange range(VkDeviceSize offset, VkDeviceSize size) const;

  // Makes host writes visible to the device / device writes visible to the host on
  // non-coherent memory; no-ops on coherent memory.
  void flush(VkDeviceSize offset, VkDeviceSize size) const;
  void invalidate(VkDeviceSize offset, VkDeviceSize size) const;

 private:
  void release();
  // The mapped memory from `offset` on, for flush and invalidate; nullopt where there is
  // nothing to do (coherent or unmapped memory).
  std::optional<VkMappedMemoryRange> noncoherent_range(VkDeviceSize offset) const;
  Device* device_ = nullptr;
  MemoryAllocator* allocator_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  Allocation allocation_;
};

}  // namespace vkmoe::vk
