#pragma once
// What profiled steps spent, summed over steps: per kernel family the dispatches, GPU time and
// bytes; the copies; and the time between commands, split into barriers (gaps inside one
// command buffer: barriers, launch latency) and submission gaps (between the command buffers
// of a step that streams experts: submission, host round trip, copies waited for). The lines
// add up to gpu_ns, the steps' first-to-last timestamp times.
#include <array>
#include <cstdint>

#include "engine/profile/kernel_family.h"
#include "engine/vk/command_profiler.h"

namespace vkmoe {

struct CommandTotals {
  uint64_t calls = 0;
  double ns = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
};

struct StepProfile {
  uint64_t steps = 0;
  uint64_t tokens = 0;
  double gpu_ns = 0;
  std::array<CommandTotals, kKernelFamilies> families{};
  CommandTotals transfers;        // copies and fills
  double barrier_ns = 0;
  double submission_gap_ns = 0;
  uint64_t barriers = 0, submissions = 0, host_waits = 0;
  double timestamp_period_ns = 1;

  // Adds one step of `tokens` tokens. A label outside KernelFamily counts as kOther.
  void add(const vk::TimedStep& step, uint32_t tokens);
  uint64_t dispatches() const;
  const CommandTotals& family(KernelFamily f) const { return families[static_cast<uint32_t>(f)]; }
};

}  // namespace vkmoe
