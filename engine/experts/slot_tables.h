#pragma once
// Slot tables for one step's expert dispatches: (n_expert) uint32 each, in host-visible
// memory the GPU reads directly. Every dispatch of a step may need its own table, and all of
// them must stay intact until the step's last submission completes, so tables are handed out
// in order and reclaimed together when the next step begins.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/vk/buffer.h"
#include "engine/vk/context.h"

namespace vkmoe {

class SlotTables {
 public:
  SlotTables(vk::Context& ctx, uint32_t n_expert);
  // Bytes between consecutive tables of n_expert entries in one buffer: each must start at
  // the device's storage-buffer offset alignment.
  static uint64_t stride(const vk::DeviceCaps& caps, uint32_t n_expert);
  // A table holding `entries` (n_expert values), valid until reset().
  vk::BufferRange add(std::span<const uint32_t> entries);
  void reset() { used_ = 0; }

 private:
  static constexpr uint32_t kTablesPerChunk = 256;
  vk::Context& ctx_;
  uint32_t n_expert_;
  uint64_t stride_;  // bytes between tables, a multiple of the storage offset alignment
  std::vector<vk::Buffer> chunks_;
  uint64_t used_ = 0;  // tables handed out since reset()
};

}  // namespace vkmoe
