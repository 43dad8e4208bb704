#pragma once
// Everything one GPU needs, in destruction-safe order: instance, device, memory allocator,
// pipelines, and a small synchronous path (run_and_wait, upload, download) for set-up work
// and tests. The per-token forward pass records its own command buffers.
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "engine/vk/buffer.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/device.h"
#include "engine/vk/instance.h"
#include "engine/vk/memory_allocator.h"
#include "engine/vk/pipeline_library.h"
#include "engine/vk/timeline_semaphore.h"

namespace vkmoe::vk {

struct ContextOptions {
  bool validation = false;     // Khronos validation layer (also VKMOE_VALIDATION=1)
  std::string device;          // index or name substring; empty: VKMOE_DEVICE, then best
};

class Context {
 public:
  static std::unique_ptr<Context> create(const ContextOptions& options);
  // Shares a host application's instance and device (they must outlive the context).
  static std::unique_ptr<Context> adopt(VkInstance instance, const ExternalDevice& device);
  ~Context();

  Instance& instance() { return *instance_; }
  Device& device() { return *device_; }
  const DeviceCaps& caps() const { return device_->caps(); }
  MemoryAllocator& allocator() { return *allocator_; }
  PipelineLibrary& pipelines() { return *pipelines_; }

  Buffer create_buffer(VkDeviceSize size, MemoryUsage usage = MemoryUsage::kDeviceLocal);
  // Records with `record` into a fresh command buffer, runs it on the compute queue, waits.
  void run_and_wait(const std::function<void(CommandBuffer&)>& record);
  void upload(const Buffer& dst, VkDeviceSize offset, std::span<const uint8_t> bytes);
  void download(const Buffer& src, VkDeviceSize offset, std::span<uint8_t> bytes);

 private:
  Context() = default;
  void init_common();
  std::unique_ptr<Instance> instance_;
  std::unique_ptr<Device> device_;
  std::unique_ptr<MemoryAllocator> allocator_;
  std::unique_ptr<PipelineLibrary> pipelines_;
  std::mutex sync_mutex_;
  std::unique_ptr<CommandBuffer> sync_cmd_;
  std::unique_ptr<TimelineSemaphore> sync_timeline_;
  uint64_t sync_value_ = 0;
  std::mutex staging_mutex_;
  Buffer staging_;
};

}  // namespace vkmoe::vk
