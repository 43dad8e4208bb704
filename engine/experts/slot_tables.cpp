#include "engine/experts/slot_tables.h"

#include <algorithm>
#include <cstring>

#include "loader/base/error.h"

namespace vkmoe {

uint64_t SlotTables::stride(const vk::DeviceCaps& caps, uint32_t n_expert) {
  const uint64_t align = std::max<uint64_t>(caps.min_storage_buffer_offset_alignment, 4);
  return (uint64_t(n_expert) * 4 + align - 1) / align * align;
}

SlotTables::SlotTables(vk::Context& ctx, uint32_t n_expert)
    : ctx_(ctx), n_expert_(n_expert), stride_(stride(ctx.caps(), n_expert)) {}

vk::BufferRange SlotTables::add(std::span<const uint32_t> entries) {
  if (entries.size() != n_expert_) throw Error(ErrorCode::kInternal, "slot table of the wrong length");
  const uint64_t chunk = used_ / kTablesPerChunk, index = used_ % kTablesPerChunk;
  if (chunk == chunks_.size()) chunks_.push_back(ctx_.create_buffer(stride_ * kTablesPerChunk, vk::MemoryUsage::kHostShared));
  const vk::Buffer& buffer = chunks_[chunk];
  const uint64_t offset = index * stride_;
  std::memcpy(static_cast<uint8_t*>(buffer.mapped()) + offset, entries.data(), entries.size_bytes());
  buffer.flush(offset, entries.size_bytes());
  ++used_;
  return buffer.range(offset, entries.size_bytes());
}

}  // namespace vkmoe
