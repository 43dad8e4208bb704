#include "apps/common/copy_bandwidth.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "engine/vk/timestamp_pool.h"
#include "loader/base/error.h"

namespace vkmoe::cli {
namespace {

constexpr uint64_t kTargetBytes = uint64_t(256) << 20;
constexpr uint64_t kMinBytes = uint64_t(1) << 20;

uint64_t copy_size(const vk::DeviceCaps& caps) {
  uint64_t bytes = kTargetBytes;
  if (caps.max_memory_allocation_size > 0) bytes = std::min(bytes, caps.max_memory_allocation_size);
  // Two buffers live at once; leave most of the heap to whatever else runs on the device.
  if (caps.device_local_bytes > 0) bytes = std::min(bytes, caps.device_local_bytes / 8);
  bytes &= ~uint64_t(0xffff);
  if (bytes < kMinBytes) {
    throw Error(ErrorCode::kOutOfMemory, caps.name + ": cannot allocate two " + std::to_string(kMinBytes) +
                                             "-byte buffers to measure the copy bandwidth");
  }
  return bytes;
}

double fastest_by_timestamps(vk::Context& ctx, const vk::Buffer& src, const vk::Buffer& dst, uint32_t runs) {
  auto pool = vk::TimestampPool::create(ctx.device(), 2 * runs);
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.reset_timestamps(*pool);
    for (uint32_t i = 0; i < runs; ++i) {
      // The barrier finishes the previous copy first, so each pair brackets one copy alone.
      cmd.barrier();
      cmd.write_timestamp(*pool, 2 * i);
      cmd.copy(src.range(), dst.range());
      cmd.write_timestamp(*pool, 2 * i + 1);
    }
  });
  std::vector<double> ns = pool->read_ns(2 * runs);
  double best = 0;
  for (uint32_t i = 0; i < runs; ++i) {
    double s = (ns[2 * i + 1] - ns[2 * i]) * 1e-9;
    if (s > 0 && (best == 0 || s < best)) best = s;
  }
  if (best == 0) throw Error(ErrorCode::kInternal, ctx.caps().name + ": GPU timestamps did not advance across a copy");
  return best;
}

double fastest_by_wall_clock(vk::Context& ctx, const vk::Buffer& src, const vk::Buffer& dst, uint32_t runs) {
  double best = 0;
  for (uint32_t i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    ctx.run_and_wait([&](vk::CommandBuffer& cmd) { cmd.copy(src.range(), dst.range()); });
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (best == 0 || s < best) best = s;
  }
  return best;
}

CopyBandwidth time_copy(vk::Context& ctx, vk::MemoryUsage source, uint32_t runs) {
  CopyBandwidth out;
  out.buffer_bytes = copy_size(ctx.caps());
  out.runs = runs;
  vk::Buffer src = ctx.create_buffer(out.buffer_bytes, source);
  vk::Buffer dst = ctx.create_buffer(out.buffer_bytes);
  // Fill both (the first touch of fresh pages costs more than the copy) and copy once untimed.
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.fill(src.range(), 0x3c003c00u);
    cmd.fill(dst.range(), 0);
    cmd.barrier();
    cmd.copy(src.range(), dst.range());
  });
  if (ctx.caps().timestamps) {
    out.timer = "GPU timestamps";
    out.seconds = fastest_by_timestamps(ctx, src, dst, runs);
  } else {
    out.timer = "wall clock";
    out.seconds = fastest_by_wall_clock(ctx, src, dst, runs);
  }
  return out;
}

}  // namespace

CopyBandwidth measure_copy_bandwidth(vk::Context& ctx, uint32_t runs) {
  CopyBandwidth out = time_copy(ctx, vk::MemoryUsage::kDeviceLocal, runs);
  out.bytes_per_second = 2.0 * static_cast<double>(out.buffer_bytes) / out.seconds;
  return out;
}

CopyBandwidth measure_upload_bandwidth(vk::Context& ctx, uint32_t runs) {
  CopyBandwidth out = time_copy(ctx, vk::MemoryUsage::kHostShared, runs);
  out.bytes_per_second = static_cast<double>(out.buffer_bytes) / out.seconds;
  return out;
}

}  // namespace vkmoe::cli
