#include "engine/vk/command_buffer.h"

#include <string>
#include <vector>

#include "engine/vk/check.h"
#include "engine/vk/command_profiler.h"
#include "engine/vk/compute_pipeline.h"
#include "engine/vk/device.h"
#include "engine/vk/timestamp_pool.h"

namespace vkmoe::vk {

std::unique_ptr<CommandBuffer> CommandBuffer::create(Device& device, uint32_t queue_family) {
  std::unique_ptr<CommandBuffer> self(new CommandBuffer(device));
  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = queue_family;
  VKMOE_VK_CHECK(vkCreateCommandPool(device.handle(), &pool_info, nullptr, &self->pool_));
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = self->pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VKMOE_VK_CHECK(vkAllocateCommandBuffers(device.handle(), &alloc, &self->cmd_));
  return self;
}

CommandBuffer::~CommandBuffer() {
  if (pool_ != VK_NULL_HANDLE) vkDestroyCommandPool(device_.handle(), pool_, nullptr);
}

void CommandBuffer::begin() {
  label_ = {};
  VKMOE_VK_CHECK(vkResetCommandBuffer(cmd_, 0));
  VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VKMOE_VK_CHECK(vkBeginCommandBuffer(cmd_, &info));
}

void CommandBuffer::end() { VKMOE_VK_CHECK(vkEndCommandBuffer(cmd_)); }

void CommandBuffer::check_range(const ComputePipeline& pipeline, uint32_t binding, const BufferRange& r) const {
  const auto& caps = device_.caps();
  if (r.buffer == VK_NULL_HANDLE || r.size == 0 || r.size > caps.max_storage_buffer_range ||
      r.offset % caps.min_storage_buffer_offset_alignment != 0) {
    throw Error(ErrorCode::kInternal, "dispatch of '" + pipeline.name() + "': binding " + std::to_string(binding) +
                                          " range (offset " + std::to_string(r.offset) + ", size " + std::to_string(r.size) +
                                          ") is empty, misaligned or over maxStorageBufferRange " +
                                          std::to_string(caps.max_storage_buffer_range));
  }
}

void CommandBuffer::dispatch(const ComputePipeline& pipeline, std::span<const BufferRange> buffers, const void* push,
                             uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz) {
  if (buffers.size() != pipeline.buffer_count() || push_bytes != pipeline.push_constant_bytes()) {
    throw Error(ErrorCode::kInternal, "dispatch of '" + pipeline.name() + "': got " + std::to_string(buffers.size()) +
                                          " buffers and " + std::to_string(push_bytes) + " push bytes, pipeline takes " +
                                          std::to_string(pipeline.buffer_count()) + " and " +
                                          std::to_string(pipeline.push_constant_bytes()));
  }
  const auto& caps = device_.caps();
  if (gx == 0 || gy == 0 || gz == 0 || gx > caps.max_workgroup_count[0] || gy > caps.max_workgroup_count[1] ||
      gz > caps.max_workgroup_count[2]) {
    throw Error(ErrorCode::kInternal, "dispatch of '" + pipeline.name() + "': workgroup count " + std::to_string(gx) + "x" +
                                          std::to_string(gy) + "x" + std::to_string(gz) + " is zero or over the device limit");
  }
  const auto& texels = pipeline.texel_bindings();
  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkBufferView> views(texels.size());
  std::vector<VkWriteDescriptorSet> writes(buffers.size() + texels.size(), {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET});
  for (uint32_t i = 0; i < buffers.size(); ++i) {
    check_range(pipeline, i, buffers[i]);
    infos[i] = {buffers[i].buffer, buffers[i].offset, buffers[i].size};
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  for (size_t j = 0; j < texels.size(); ++j) {
    views[j] = device_.texel_views().view(buffers[texels[j].buffer], texels[j].format);
    VkWriteDescriptorSet& w = writes[buffers.size() + j];
    w.dstBinding = texels[j].binding;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    w.pTexelBufferView = &views[j];
  }
  if (profiler_ != nullptr) profiler_->open(*this);
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  device_.push_descriptor_fn()(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0,
                               static_cast<uint32_t>(writes.size()), writes.data());
  if (push_bytes > 0) vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cmd_, gx, gy, gz);
  if (profiler_ != nullptr) {
    const CommandProfiler::Bytes bytes = CommandProfiler::dispatch_bytes(pipeline, buffers, label_);
    profiler_->close(*this, CommandKind::kDispatch, label_.id, bytes.read, bytes.written);
  }
}

void CommandBuffer::barrier() {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                    VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &b, 0, nullptr, 0, nullptr);
  if (profiler_ != nullptr) profiler_->count_barrier();
}

void CommandBuffer::copy(const BufferRange& src, const BufferRange& dst) {
  if (src.size != dst.size) throw Error(ErrorCode::kInternal, "copy between ranges of different sizes");
  VkBufferCopy region{src.offset, dst.offset, src.size};
  if (profiler_ != nullptr) profiler_->open(*this);
  vkCmdCopyBuffer(cmd_, src.buffer, dst.buffer, 1, &region);
  if (profiler_ != nullptr) profiler_->close(*this, CommandKind::kTransfer, label_.id, src.size, dst.size);
}

void CommandBuffer::fill(const BufferRange& dst, uint32_t value) {
  if (profiler_ != nullptr) profiler_->open(*this);
  vkCmdFillBuffer(cmd_, dst.buffer, dst.offset, dst.size, value);
  if (profiler_ != nullptr) profiler_->close(*this, CommandKind::kTransfer, label_.id, 0, dst.size);
}

void CommandBuffer::write_timestamp(TimestampPool& pool, uint32_t index) {
  vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool.handle(), index);
}

void CommandBuffer::reset_timestamps(TimestampPool& pool) { vkCmdResetQueryPool(cmd_, pool.handle(), 0, pool.capacity()); }

}  // namespace vkmoe::vk
