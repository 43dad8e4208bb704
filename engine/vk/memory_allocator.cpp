#include "engine/vk/memory_allocator.h"

#include <algorithm>
#include <string>

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {
namespace {

VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

std::string mib(VkDeviceSize b) { return std::to_string((b + (1 << 20) - 1) >> 20) + " MiB"; }

}  // namespace

const char* memory_usage_name(MemoryUsage usage) {
  switch (usage) {
    case MemoryUsage::kDeviceLocal: return "device-local";
    case MemoryUsage::kUpload: return "upload";
    case MemoryUsage::kReadback: return "readback";
    case MemoryUsage::kHostShared: return "host-shared";
  }
  return "?";
}

MemoryAllocator::MemoryAllocator(Device& device, VkDeviceSize block_size) : device_(device) {
  vkGetPhysicalDeviceMemoryProperties(device.physical(), &props_);
  block_size_ = std::min<VkDeviceSize>(block_size, device.caps().max_memory_allocation_size);
  blocks_.resize(props_.memoryTypeCount);
}

MemoryAllocator::~MemoryAllocator() {
  for (uint32_t t = 0; t < blocks_.size(); ++t) {
    for (auto& b : blocks_[t]) {
      if (b) vkFreeMemory(device_.handle(), b->memory, nullptr);
    }
  }
}

uint32_t MemoryAllocator::choose_type(uint32_t type_bits, MemoryUsage usage) const {
  using F = VkMemoryPropertyFlags;
  F required = 0;
  std::vector<F> preferred;  // tried in order; the first type that has all of them wins
  switch (usage) {
    case MemoryUsage::kDeviceLocal:
      required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      break;
    case MemoryUsage::kUpload:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      preferred = {0};
      break;
    case MemoryUsage::kReadback:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
      preferred = {VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
      break;
    case MemoryUsage::kHostShared:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
  }
  auto pick = [&](F want, bool avoid_device_local) -> uint32_t {
    for (uint32_t t = 0; t < props_.memoryTypeCount; ++t) {
      F f = props_.memoryTypes[t].propertyFlags;
      if (!(type_bits & (1u << t)) || (f & required) != required || (f & want) != want) continue;
      // Staging and host-shared memory belong in system RAM, not the scarce BAR window.
      if (avoid_device_local && (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && !device_.caps().unified_memory) continue;
      return t;
    }
    return UINT32_MAX;
  };
  bool host_side = usage != MemoryUsage::kDeviceLocal;
  for (F want : preferred) {
    if (uint32_t t = pick(want, host_side); t != UINT32_MAX) return t;
  }
  if (uint32_t t = pick(0, host_side); t != UINT32_MAX) return t;
  if (uint32_t t = pick(0, false); t != UINT32_MAX) return t;
  throw Error(ErrorCode::kOutOfMemory, std::string("no Vulkan memory type fits ") + memory_usage_name(usage) + " buffers");
}

VkDeviceMemory MemoryAllocator::allocate_memory(VkDeviceSize size, uint32_t type, MemoryUsage usage, void** mapped) {
  if (size > device_.caps().max_memory_allocation_size) {
    throw Error(ErrorCode::kOutOfMemory, "allocation of " + mib(size) + " (" + memory_usage_name(usage) +
                                             ") exceeds the device's maxMemoryAllocationSize of " +
                                             mib(device_.caps().max_memory_allocation_size));
  }
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.allocationSize = size;
  info.memoryTypeIndex = type;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkResult r = vkAllocateMemory(device_.handle(), &info, nullptr, &memory);
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
    uint32_t heap = props_.memoryTypes[type].heapIndex;
    throw Error(ErrorCode::kOutOfMemory, "out of memory allocating " + mib(size) + " of " + memory_usage_name(usage) +
                                             " memory (heap " + std::to_string(heap) + " of " +
                                             mib(props_.memoryHeaps[heap].size) + ", vkmoe holds " +
                                             mib(stats_.device_local_bytes + stats_.host_bytes) + ")");
  }
  VKMOE_VK_CHECK(r);
  *mapped = nullptr;
  if (props_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    VkResult mr = vkMapMemory(device_.handle(), memory, 0, VK_WHOLE_SIZE, 0, mapped);
    if (mr != VK_SUCCESS) {
      vkFreeMemory(device_.handle(), memory, nullptr);
      VKMOE_VK_CHECK(mr);
    }
  }
  bool device_local = props_.memoryHeaps[props_.memoryTypes[type].heapIndex].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
  (device_local ? stats_.device_local_bytes : stats_.host_bytes) += size;
  ++stats_.allocation_count;
  return memory;
}

void MemoryAllocator::release_memory(VkDeviceMemory memory, VkDeviceSize size, uint32_t type) {
  vkFreeMemory(device_.handle(), memory, nullptr);
  bool device_local = props_.memoryHeaps[props_.memoryTypes[type].heapIndex].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
  (device_local ? stats_.device_local_bytes : stats_.host_bytes) -= size;
  --stats_.allocation_count;
}

Allocation MemoryAllocator::allocate(const VkMemoryRequirements& req, MemoryUsage usage) {
  std::lock_guard lock(mutex_);
  uint32_t type = choose_type(req.memoryTypeBits, usage);
  Allocation a;
  a.memory_type = type;
  a.size = req.size;
  a.host_coherent = props_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  VkDeviceSize alignment = std::max<VkDeviceSize>(req.alignment, 256);

  if (req.size > block_size_ / 4) {
    void* mapped = nullptr;
    a.memory = allocate_memory(req.size, type, usage, &mapped);
    a.mapped = mapped;
    a.block = -1;
    stats_.in_use_bytes += a.size;
    return a;
  }

  auto& blocks = blocks_[type];
  for (size_t bi = 0;; ++bi) {
    if (bi == blocks.size() || !blocks[bi]) {
      if (bi == blocks.size()) blocks.emplace_back();
      auto block = std::make_unique<Block>();
      block->size = block_size_;
      block->memory = allocate_memory(block_size_, type, usage, &block->mapped);
      block->free_ranges[0] = block_size_;
      blocks[bi] = std::move(block);
    }
    Block& b = *blocks[bi];
    for (auto it = b.free_ranges.begin(); it != b.free_ranges.end(); ++it) {
      VkDeviceSize start = align_up(it->first, alignment);
      VkDeviceSize end = it->first + it->second;
      if (start + req.size > end) continue;
      VkDeviceSize range_start = it->first;
      b.free_ranges.erase(it);
      if (start > range_start) b.free_ranges[range_start] = start - range_start;
      if (start + req.size < end) b.free_ranges[start + req.size] = end - (start + req.size);
      a.memory = b.memory;
      a.offset = start;
      a.block = static_cast<int32_t>(bi);
      a.mapped = b.mapped != nullptr ? static_cast<uint8_t*>(b.mapped) + start : nullptr;
      stats_.in_use_bytes += a.size;
      return a;
    }
  }
}

void MemoryAllocator::free(const Allocation& a) {
  if (a.memory == VK_NULL_HANDLE) return;
  std::lock_guard lock(mutex_);
  stats_.in_use_bytes -= a.size;
  if (a.block < 0) {
    release_memory(a.memory, a.size, a.memory_type);
    return;
  }
  auto& slot = blocks_[a.memory_type][static_cast<size_t>(a.block)];
  Block& b = *slot;
  auto [it, inserted] = b.free_ranges.emplace(a.offset, a.size);
  if (auto next = std::next(it); next != b.free_ranges.end() && it->first + it->second == next->first) {
    it->second += next->second;
    b.free_ranges.erase(next);
  }
  if (it != b.free_ranges.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second == it->first) {
      prev->second += it->second;
      b.free_ranges.erase(it);
    }
  }
  // An empty block goes back to the driver so a long session's peak does not stay resident.
  if (b.free_ranges.size() == 1 && b.free_ranges.begin()->second == b.size) {
    release_memory(b.memory, b.size, a.memory_type);
    slot.reset();
  }
}

MemoryStats MemoryAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace vkmoe::vk
