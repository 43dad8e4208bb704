#include "engine/vk/command_profiler.h"

#include <algorithm>

#include "engine/vk/command_buffer.h"
#include "engine/vk/compute_pipeline.h"
#include "engine/vk/device.h"
#include "loader/base/error.h"

namespace vkmoe::vk {
namespace {

constexpr uint32_t kPoolQueries = 4096;

bool overlaps(const BufferRange& a, const BufferRange& b) {
  return a.buffer == b.buffer && a.buffer != VK_NULL_HANDLE && a.offset < b.offset + b.size && b.offset < a.offset + a.size;
}

uint64_t charged_bytes(const BufferRange& r, const CommandLabel& label) {
  for (const PartialUse& p : label.partial) {
    if (overlaps(r, p.range)) return std::min(r.size, p.bytes);
  }
  return r.size;
}

bool same_range(const BufferRange& a, const BufferRange& b) {
  return a.buffer == b.buffer && a.offset == b.offset && a.size == b.size;
}

}  // namespace

std::unique_ptr<CommandProfiler> CommandProfiler::create(Device& device) {
  if (!device.caps().timestamps) {
    throw Error(ErrorCode::kUnsupported, device.caps().name + " has no compute-queue timestamps to profile with");
  }
  return std::unique_ptr<CommandProfiler>(new CommandProfiler(device));
}

void CommandProfiler::begin_step() {
  queries_ = 0;
  step_ = TimedStep{};
  step_.timestamp_period_ns = device_.caps().timestamp_period_ns;
}

void CommandProfiler::write_next_timestamp(CommandBuffer& cmd) {
  const uint32_t pool = queries_ / kPoolQueries, index = queries_ % kPoolQueries;
  if (pool == pools_.size()) pools_.push_back(TimestampPool::create(device_, kPoolQueries));
  if (index == 0) cmd.reset_timestamps(*pools_[pool]);
  cmd.write_timestamp(*pools_[pool], index);
  ++queries_;
}

void CommandProfiler::open(CommandBuffer& cmd) { write_next_timestamp(cmd); }

void CommandProfiler::close(CommandBuffer& cmd, CommandKind kind, uint32_t label, uint64_t bytes_read,
                            uint64_t bytes_written) {
  write_next_timestamp(cmd);
  TimedCommand c;
  c.kind = kind;
  c.label = label;
  c.bytes_read = bytes_read;
  c.bytes_written = bytes_written;
  c.submission = static_cast<uint32_t>(step_.submissions);
  step_.commands.push_back(c);
}

TimedStep CommandProfiler::finish_step() {
  std::vector<double> ns;
  ns.reserve(queries_);
  for (uint32_t first = 0; first < queries_; first += kPoolQueries) {
    const std::vector<double> part = pools_[first / kPoolQueries]->read_ns(std::min(kPoolQueries, queries_ - first));
    ns.insert(ns.end(), part.begin(), part.end());
  }
  for (size_t i = 0; i < step_.commands.size(); ++i) {
    step_.commands[i].start_ns = ns[2 * i];
    step_.commands[i].end_ns = ns[2 * i + 1];
  }
  TimedStep done = std::move(step_);
  begin_step();
  return done;
}

CommandProfiler::Bytes CommandProfiler::dispatch_bytes(const ComputePipeline& pipeline, std::span<const BufferRange> buffers,
                                                       const CommandLabel& label) {
  Bytes bytes;
  const auto& access = pipeline.binding_access();
  for (size_t i = 0; i < buffers.size() && i < access.size(); ++i) {
    bool read_before = false, written_before = false;  // the same range bound earlier in that role
    for (size_t j = 0; j < i; ++j) {
      if (!same_range(buffers[j], buffers[i])) continue;
      read_before = read_before || access[j].read;
      written_before = written_before || access[j].written;
    }
    const uint64_t size = charged_bytes(buffers[i], label);
    if (access[i].read && !read_before) bytes.read += size;
    if (access[i].written && !written_before) bytes.written += size;
  }
  return bytes;
}

}  // namespace vkmoe::vk
