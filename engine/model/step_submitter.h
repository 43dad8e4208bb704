#pragma once
// The command buffers of one forward step. A step fully in VRAM is one command buffer; a
// step that streams experts is cut where the host must read the router's choice, and again
// between waves of expert copies. Each piece signals the next value of one timeline
// semaphore; a piece after a cut starts with a barrier, so it sees everything before it.
// With a profiler, every piece records into it, and it counts submissions and host waits.
#include <memory>
#include <optional>
#include <vector>

#include "engine/vk/command_buffer.h"
#include "engine/vk/command_profiler.h"
#include "engine/vk/context.h"
#include "engine/vk/queue_submit.h"
#include "engine/vk/timeline_semaphore.h"

namespace vkmoe {

class StepSubmitter {
 public:
  // `profiler` (may be null: no profiling) must outlive the submitter.
  explicit StepSubmitter(vk::Context& ctx, vk::CommandProfiler* profiler = nullptr);

  void begin_step();                 // the previous step has finished
  vk::CommandBuffer& cmd() { return *pieces_[current_]; }
  void wait_for(const vk::SemaphorePoint& point);  // before the current piece runs
  vk::SemaphorePoint pending_point() const;        // what the current piece will signal
  vk::SemaphorePoint submit();       // submits the current piece and begins the next
  void submit_and_wait();            // the same, and waits for it on the host
  void finish();                     // submits the last piece and waits for the whole step
  // Without waiting (the frame-budgeted path): submits the last piece; done() then polls.
  vk::SemaphorePoint submit_last();
  bool done() const;                 // everything submitted so far has finished
  void wait_done() const;            // waits on the host until it has

 private:
  void submit_current();
  void begin_piece();
  void add_piece();
  vk::Context& ctx_;
  vk::CommandProfiler* profiler_;
  std::vector<std::unique_ptr<vk::CommandBuffer>> pieces_;
  size_t current_ = 0;
  std::vector<vk::SemaphorePoint> waits_;
  std::unique_ptr<vk::TimelineSemaphore> timeline_;
  uint64_t value_ = 0;
};

}  // namespace vkmoe
