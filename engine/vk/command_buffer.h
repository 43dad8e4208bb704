#pragma once
// A primary command buffer with its own pool, and the few recording verbs vkmoe needs:
// dispatch (push descriptors + push constants), a compute barrier, copies, fills, timestamps.
// With a CommandProfiler attached, every dispatch, copy and fill is bracketed by timestamps
// and charged to the current label; without one, nothing extra is recorded.
#include <vulkan/vulkan.h>

#include <initializer_list>
#include <memory>
#include <span>

#include "engine/vk/buffer.h"
#include "engine/vk/command_label.h"

namespace vkmoe::vk {

class CommandProfiler;
class ComputePipeline;
class Device;
class TimestampPool;

class CommandBuffer {
 public:
  static std::unique_ptr<CommandBuffer> create(Device& device, uint32_t queue_family);
  ~CommandBuffer();
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  VkCommandBuffer handle() const { return cmd_; }
  void begin();  // resets what was recorded before, and the label
  void end();

  // Binds `buffers` to bindings 0..n-1, and the pipeline's texel bindings to views of them,
  // and dispatches groups. `push` must be exactly the pipeline's push-constant size. Ranges
  // must respect maxStorageBufferRange and the offset alignment; kernels split larger tensors
  // before they get here.
  void dispatch(const ComputePipeline& pipeline, std::span<const BufferRange> buffers, const void* push, uint32_t push_bytes,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1);
  template <class Push>
  void dispatch(const ComputePipeline& pipeline, std::initializer_list<BufferRange> buffers, const Push& push,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1) {
    dispatch(pipeline, std::span<const BufferRange>(buffers.begin(), buffers.size()), &push, sizeof(Push), groups_x,
             groups_y, groups_z);
  }

  // Makes every earlier shader/transfer write visible to later shader/transfer access.
  void barrier();
  void copy(const BufferRange& src, const BufferRange& dst);
  void fill(const BufferRange& dst, uint32_t value);
  void write_timestamp(TimestampPool& pool, uint32_t index);
  void reset_timestamps(TimestampPool& pool);

  // Profiling: null detaches. The label applies to the commands recorded after it.
  void set_profiler(CommandProfiler* profiler) { profiler_ = profiler; }
  void set_label(const CommandLabel& label) { label_ = label; }

 private:
  explicit CommandBuffer(Device& device) : device_(device) {}
  void check_range(const ComputePipeline& pipeline, uint32_t binding, const BufferRange& r) const;
  Device& device_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  CommandProfiler* profiler_ = nullptr;
  CommandLabel label_;
};

}  // namespace vkmoe::vk
