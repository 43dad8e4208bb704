#include "engine/profile/step_profile.h"

namespace vkmoe {

void StepProfile::add(const vk::TimedStep& step, uint32_t step_tokens) {
  ++steps;
  tokens += step_tokens;
  barriers += step.barriers;
  submissions += step.submissions;
  host_waits += step.host_waits;
  timestamp_period_ns = step.timestamp_period_ns;
  const vk::TimedCommand* previous = nullptr;
  for (const vk::TimedCommand& c : step.commands) {
    const uint32_t family = c.label < kKernelFamilies ? c.label : static_cast<uint32_t>(KernelFamily::kOther);
    CommandTotals& t = c.kind == vk::CommandKind::kDispatch ? families[family] : transfers;
    ++t.calls;
    t.ns += c.end_ns - c.start_ns;
    t.bytes_read += c.bytes_read;
    t.bytes_written += c.bytes_written;
    if (previous != nullptr) {
      (previous->submission == c.submission ? barrier_ns : submission_gap_ns) += c.start_ns - previous->end_ns;
    }
    previous = &c;
  }
  if (!step.commands.empty()) gpu_ns += step.commands.back().end_ns - step.commands.front().start_ns;
}

uint64_t StepProfile::dispatches() const {
  uint64_t n = 0;
  for (const CommandTotals& f : families) n += f.calls;
  return n;
}

}  // namespace vkmoe
