#pragma once
// Times every command recorded into the CommandBuffers it is attached to with a pair of GPU
// timestamps (both at the bottom of the pipe, so a command's interval starts when everything
// before it has finished), and counts what a step costs besides its commands: barriers,
// submissions and host waits. Each command carries its label and the bytes it reads and
// writes: for a dispatch, the bound ranges by the roles its shader gives them (readonly ranges
// read, writeonly written, others both; a range bound twice in one role counts once; a
// label's PartialUse caps a range); for a copy, its size read and written; for a fill, its
// size written. A CommandBuffer without a profiler records no timestamps.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/vk/command_label.h"
#include "engine/vk/timestamp_pool.h"

namespace vkmoe::vk {

class CommandBuffer;
class ComputePipeline;
class Device;

enum class CommandKind { kDispatch, kTransfer };  // kTransfer: a copy or a fill

struct TimedCommand {
  CommandKind kind = CommandKind::kDispatch;
  uint32_t label = CommandLabel::kNone;
  uint64_t bytes_read = 0, bytes_written = 0;
  uint32_t submission = 0;       // which command buffer of the step (0 = the first submitted)
  double start_ns = 0, end_ns = 0;
};

// One step: its commands in recording order, which is their order on the one queue.
struct TimedStep {
  std::vector<TimedCommand> commands;
  uint64_t barriers = 0, submissions = 0, host_waits = 0;
  double timestamp_period_ns = 1;
};

class CommandProfiler {
 public:
  // Throws Error(kUnsupported) when the compute queue has no timestamps.
  static std::unique_ptr<CommandProfiler> create(Device& device);
  CommandProfiler(const CommandProfiler&) = delete;
  CommandProfiler& operator=(const CommandProfiler&) = delete;

  void begin_step();  // forgets the previous step

  // CommandBuffer brackets each command with these.
  void open(CommandBuffer& cmd);
  void close(CommandBuffer& cmd, CommandKind kind, uint32_t label, uint64_t bytes_read, uint64_t bytes_written);
  void count_barrier() { ++step_.barriers; }

  // StepSubmitter reports these.
  void count_submission() { ++step_.submissions; }
  void count_host_wait() { ++step_.host_waits; }

  // The step with its times; call once its last command buffer has completed.
  TimedStep finish_step();

  // Bytes a dispatch reads and writes, as the header describes.
  struct Bytes {
    uint64_t read = 0, written = 0;
  };
  static Bytes dispatch_bytes(const ComputePipeline& pipeline, std::span<const BufferRange> buffers, const CommandLabel& label);

 private:
  explicit CommandProfiler(Device& device) : device_(device) {}
  void write_next_timestamp(CommandBuffer& cmd);
  Device& device_;
  // Pools of kPoolQueries each, grown as a step needs more; a pool is reset in the command
  // buffer that first writes to it in a step.
  std::vector<std::unique_ptr<TimestampPool>> pools_;
  uint32_t queries_ = 0;  // written this step
  TimedStep step_;
};

}  // namespace vkmoe::vk
