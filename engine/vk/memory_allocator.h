#pragma once
// Device memory, sub-allocated from large blocks so thousands of tensors do not each cost a
// vkAllocateMemory (drivers cap the count, ~4096). Requests above a quarter block get their
// own dedicated allocation. Memory types are chosen per use:
//   kDeviceLocal  weights, activations, KV cache (fastest for the GPU)
//   kUpload       host-written staging (host visible, coherent; write-combined is fine)
//   kReadback     host-read results (host visible, cached preferred)
//   kHostShared   host-visible memory the GPU reads directly (zero-copy expert reads)
#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace vkmoe::vk {

class Device;

enum class MemoryUsage { kDeviceLocal, kUpload, kReadback, kHostShared };
const char* memory_usage_name(MemoryUsage usage);

struct Allocation {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
  void* mapped = nullptr;       // host pointer at `offset`, when host visible
  uint32_t memory_type = 0;
  int32_t block = -1;           // index into the type's blocks; -1 = dedicated
  bool host_coherent = true;
};

struct MemoryStats {
  VkDeviceSize device_local_bytes = 0;   // taken from the driver, device-local heaps
  VkDeviceSize host_bytes = 0;           // taken from the driver, other heaps
  VkDeviceSize in_use_bytes = 0;         // handed out to buffers
  uint32_t allocation_count = 0;         // live vkAllocateMemory calls
};

class MemoryAllocator {
 public:
  explicit MemoryAllocator(Device& device, VkDeviceSize block_size = VkDeviceSize(64) << 20);
  ~MemoryAllocator();
  MemoryAllocator(const MemoryAllocator&) = delete;
  MemoryAllocator& operator=(const MemoryAllocator&) = delete;

  // Throws Error(kOutOfMemory) naming the size, the use and the heap.
  Allocation allocate(const VkMemoryRequirements& requirements, MemoryUsage usage);
  void free(const Allocation& allocation);
  MemoryStats stats() const;

 private:
  struct Block {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize size = 0;
    void* mapped = nullptr;
    std::map<VkDeviceSize, VkDeviceSize> free_ranges;  // offset → size, coalesced
  };
  uint32_t choose_type(uint32_t type_bits, MemoryUsage usage) const;
  VkDeviceMemory allocate_memory(VkDeviceSize size, uint32_t type, MemoryUsage usage, void** mapped);
  void release_memory(VkDeviceMemory memory, VkDeviceSize size, uint32_t type);

  Device& device_;
  VkDeviceSize block_size_;
  VkPhysicalDeviceMemoryProperties props_{};
  std::vector<std::vector<std::unique_ptr<Block>>> blocks_;  // per memory type
  mutable std::mutex mutex_;
  MemoryStats stats_;
};

}  // namespace vkmoe::vk
