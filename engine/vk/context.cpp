#include "engine/vk/context.h"

#include <algorithm>
#include <cstring>

#include "engine/vk/check.h"
#include "engine/vk/device_selection.h"
#include "engine/vk/queue_submit.h"

namespace vkmoe::vk {
namespace {
constexpr VkDeviceSize kStagingBytes = VkDeviceSize(16) << 20;
}

std::unique_ptr<Context> Context::create(const ContextOptions& options) {
  std::unique_ptr<Context> self(new Context());
  self->instance_ = Instance::create({options.validation});
  auto chosen = select_physical_device(self->instance_->handle(), options.device);
  self->device_ = Device::create(chosen.handle, chosen.caps);
  self->init_common();
  return self;
}

std::unique_ptr<Context> Context::adopt(VkInstance instance, const ExternalDevice& device) {
  std::unique_ptr<Context> self(new Context());
  self->instance_ = Instance::adopt(instance);
  self->device_ = Device::adopt(device);
  self->init_common();
  return self;
}

void Context::init_common() {
  allocator_ = std::make_unique<MemoryAllocator>(*device_);
  pipelines_ = std::make_unique<PipelineLibrary>(*device_);
  sync_cmd_ = CommandBuffer::create(*device_, device_->compute_queue().family);
  sync_timeline_ = TimelineSemaphore::create(*device_);
}

Context::~Context() {
  // On a host's device only vkmoe's own work must be done, and every owner of a submission
  // (sessions, the expert store, run_and_wait) waits for its own before it goes.
  if (device_ && device_->owned()) vkDeviceWaitIdle(device_->handle());
}

Buffer Context::create_buffer(VkDeviceSize size, MemoryUsage usage) { return Buffer::create(*device_, *allocator_, size, usage); }

void Context::run_and_wait(const std::function<void(CommandBuffer&)>& record) {
  std::lock_guard lock(sync_mutex_);
  sync_cmd_->begin();
  record(*sync_cmd_);
  sync_cmd_->end();
  SemaphorePoint signal{sync_timeline_->handle(), ++sync_value_};
  submit(device_->compute_queue(), sync_cmd_->handle(), {}, std::span(&signal, 1));
  sync_timeline_->wait(sync_value_);
}

void Context::upload(const Buffer& dst, VkDeviceSize offset, std::span<const uint8_t> bytes) {
  if (offset > dst.size() || bytes.size() > dst.size() - offset) {
    throw Error(ErrorCode::kInternal, "upload of " + std::to_string(bytes.size()) + " bytes at " + std::to_string(offset) +
                                          " overruns a buffer of " + std::to_string(dst.size()));
  }
  if (dst.mapped() != nullptr) {
    std::memcpy(static_cast<uint8_t*>(dst.mapped()) + offset, bytes.data(), bytes.size());
    dst.flush(offset, bytes.size());
    return;
  }
  // One staging buffer serves every thread (a model loading while a session starts): in turn.
  std::lock_guard lock(staging_mutex_);
  if (!staging_.valid()) staging_ = create_buffer(kStagingBytes, MemoryUsage::kUpload);
  for (size_t done = 0; done < bytes.size();) {
    size_t n = std::min<size_t>(kStagingBytes, bytes.size() - done);
    std::memcpy(staging_.mapped(), bytes.data() + done, n);
    staging_.flush(0, n);
    run_and_wait([&](CommandBuffer& cmd) { cmd.copy(staging_.range(0, n), dst.range(offset + done, n)); });
    done += n;
  }
}

void Context::download(const Buffer& src, VkDeviceSize offset, std::span<uint8_t> bytes) {
  if (offset > src.size() || bytes.size() > src.size() - offset) {
    throw Error(ErrorCode::kInternal, "download of " + std::to_string(bytes.size()) + " bytes at " + std::to_string(offset) +
                                          " overruns a buffer of " + std::to_string(src.size()));
  }
  if (src.mapped() != nullptr) {
    src.invalidate(offset, bytes.size());
    std::memcpy(bytes.data(), static_cast<const uint8_t*>(src.mapped()) + offset, bytes.size());
    return;
  }
  Buffer readback = create_buffer(std::min<VkDeviceSize>(kStagingBytes, std::max<size_t>(bytes.size(), 4)), MemoryUsage::kReadback);
  for (size_t done = 0; done < bytes.size();) {
    size_t n = std::min<size_t>(readback.size(), bytes.size() - done);
    run_and_wait([&](CommandBuffer& cmd) {
      cmd.copy(src.range(offset + done, n), readback.range(0, n));
      cmd.barrier();
    });
    readback.invalidate(0, n);
    std::memcpy(bytes.data() + done, readback.mapped(), n);
    done += n;
  }
}

}  // namespace vkmoe::vk
