#pragma once
// Texel-buffer views of buffers, for shaders that read a storage buffer's words through
// texelFetch as well: a CPU driver such as lavapipe fetches a texel for all lanes at once,
// where it loads from a storage buffer lane by lane, each behind a branch (matmul_gemv.comp's
// CPU-driver layout). A view is made on first use for each offset and texel format a buffer is
// bound at, and reaches to the buffer's end, so ranges of any size there share it; it lives
// until its buffer is destroyed.
#include <vulkan/vulkan.h>

#include <map>
#include <mutex>
#include <utility>

#include "engine/vk/buffer.h"

namespace vkmoe::vk {

struct DeviceCaps;

// The texels a view reads: 64-bit words (R32G32_UINT) or 16-byte quads (R32G32B32A32_UINT).
enum class TexelFormat { kWords, kQuads };

class TexelViews {
 public:
  TexelViews(VkDevice device, const DeviceCaps& caps) : device_(device), caps_(caps) {}
  ~TexelViews();
  TexelViews(const TexelViews&) = delete;
  TexelViews& operator=(const TexelViews&) = delete;

  // Buffer::create and Buffer's destructor: a buffer's size, and the end of its views.
  void track(VkBuffer buffer, VkDeviceSize size);
  void forget(VkBuffer buffer);

  // A view whose texel i is the word or quad at byte range.offset + 8 i or + 16 i, covering
  // every whole texel of `range`. Throws Error(kUnsupported) where the device's
  // texel-buffer limits rule it out.
  VkBufferView view(const BufferRange& range, TexelFormat format);
  size_t view_count() const;

 private:
  struct Tracked {
    VkDeviceSize size = 0;
    std::map<std::pair<VkDeviceSize, TexelFormat>, VkBufferView> views;  // by offset and format
  };
  VkDevice device_;
  const DeviceCaps& caps_;
  mutable std::mutex mutex_;
  std::map<VkBuffer, Tracked> buffers_;
};

}  // namespace vkmoe::vk
