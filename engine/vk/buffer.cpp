#include "engine/vk/buffer.h"

#include <string>
#include <utility>

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {

Buffer Buffer::create(Device& device, MemoryAllocator& allocator, VkDeviceSize size, MemoryUsage usage) {
  if (size == 0) throw Error(ErrorCode::kInvalidArgument, "Buffer::create: zero-sized buffer");
  Buffer b;
  b.device_ = &device;
  b.allocator_ = &allocator;
  b.size_ = size;
  // Whole 16-byte texels, so that a texel view (texel_views.h) at any aligned offset of the
  // buffer has at least one.
  const VkDeviceSize vk_size = (size + 15) / 16 * 16;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = vk_size;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
               VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  // Expert weights are written by the transfer queue and read by the compute queue; sharing
  // every buffer between the two families spares ownership transfers (buffers lose nothing).
  const uint32_t families[] = {device.compute_queue().family,
                               device.transfer_queue() != nullptr ? device.transfer_queue()->family : 0u};
  if (device.transfer_queue() != nullptr && families[1] != families[0]) {
    info.sharingMode = VK_SHARING_MODE_CONCURRENT;
    info.queueFamilyIndexCount = 2;
    info.pQueueFamilyIndices = families;
  } else {
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  }
  VkResult r = vkCreateBuffer(device.handle(), &info, nullptr, &b.buffer_);
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
    throw Error(ErrorCode::kOutOfMemory, "out of memory creating a buffer of " + std::to_string(size) + " bytes");
  }
  VKMOE_VK_CHECK(r);
  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(device.handle(), b.buffer_, &req);
  b.allocation_ = allocator.allocate(req, usage);  // on throw, ~Buffer destroys the VkBuffer
  VKMOE_VK_CHECK(vkBindBufferMemory(device.handle(), b.buffer_, b.allocation_.memory, b.allocation_.offset));
  device.texel_views().track(b.buffer_, vk_size);
  return b;
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& o) noexcept
    : device_(o.device_), allocator_(o.allocator_), buffer_(std::exchange(o.buffer_, VK_NULL_HANDLE)), size_(o.size_),
      allocation_(std::exchange(o.allocation_, Allocation{})) {}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    release();
    device_ = o.device_;
    allocator_ = o.allocator_;
    buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
    size_ = o.size_;
    allocation_ = std::exchange(o.allocation_, Allocation{});
  }
  return *this;
}

void Buffer::release() {
  if (buffer_ != VK_NULL_HANDLE) {
    device_->texel_views().forget(buffer_);
    vkDestroyBuffer(device_->handle(), buffer_, nullptr);
  }
  if (allocation_.memory != VK_NULL_HANDLE) allocator_->free(allocation_);
  buffer_ = VK_NULL_HANDLE;
  allocation_ = {};
}

BufferRange Buffer::range(VkDeviceSize offset, VkDeviceSize size) const {
  if (offset > size_ || size > size_ - offset) {
    throw Error(ErrorCode::kInternal, "buffer range [" + std::to_string(offset) + ", +" + std::to_string(size) +
                                          ") is outside a buffer of " + std::to_string(size_) + " bytes");
  }
  return {buffer_, offset, size};
}

std::optional<VkMappedMemoryRange> Buffer::noncoherent_range(VkDeviceSize offset) const {
  if (allocation_.host_coherent || allocation_.mapped == nullptr) return std::nullopt;
  VkMappedMemoryRange r{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  r.memory = allocation_.memory;
  // Ranges must be multiples of nonCoherentAtomSize (at most 256): round out to the mapping's end.
  r.offset = (allocation_.offset + offset) / 256 * 256;
  r.size = VK_WHOLE_SIZE;
  return r;
}

void Buffer::flush(VkDeviceSize offset, VkDeviceSize) const {
  if (const auto r = noncoherent_range(offset)) VKMOE_VK_CHECK(vkFlushMappedMemoryRanges(device_->handle(), 1, &*r));
}

void Buffer::invalidate(VkDeviceSize offset, VkDeviceSize) const {
  if (const auto r = noncoherent_range(offset)) VKMOE_VK_CHECK(vkInvalidateMappedMemoryRanges(device_->handle(), 1, &*r));
}

}  // namespace vkmoe::vk
