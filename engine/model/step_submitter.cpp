#include "engine/model/step_submitter.h"

namespace vkmoe {

StepSubmitter::StepSubmitter(vk::Context& ctx, vk::CommandProfiler* profiler)
    : ctx_(ctx), profiler_(profiler), timeline_(vk::TimelineSemaphore::create(ctx.device())) {}

void StepSubmitter::add_piece() {
  pieces_.push_back(vk::CommandBuffer::create(ctx_.device(), ctx_.device().compute_queue().family));
  pieces_.back()->set_profiler(profiler_);
}

void StepSubmitter::begin_step() {
  current_ = 0;
  waits_.clear();
  if (profiler_ != nullptr) profiler_->begin_step();
  if (pieces_.empty()) add_piece();
  pieces_[0]->begin();
}

void StepSubmitter::begin_piece() {
  ++current_;
  if (current_ == pieces_.size()) add_piece();
  pieces_[current_]->begin();
  pieces_[current_]->barrier();
}

void StepSubmitter::wait_for(const vk::SemaphorePoint& point) { waits_.push_back(point); }

vk::SemaphorePoint StepSubmitter::pending_point() const { return {timeline_->handle(), value_ + 1}; }

void StepSubmitter::submit_current() {
  vk::CommandBuffer& cmd = *pieces_[current_];
  cmd.end();
  const vk::SemaphorePoint signal{timeline_->handle(), ++value_};
  vk::submit(ctx_.device().compute_queue(), cmd.handle(), waits_, std::span(&signal, 1));
  waits_.clear();
  if (profiler_ != nullptr) profiler_->count_submission();
}

vk::SemaphorePoint StepSubmitter::submit() {
  submit_current();
  const vk::SemaphorePoint done{timeline_->handle(), value_};
  begin_piece();
  return done;
}

void StepSubmitter::submit_and_wait() {
  const vk::SemaphorePoint done = submit();
  if (profiler_ != nullptr) profiler_->count_host_wait();
  timeline_->wait(done.value);
}

vk::SemaphorePoint StepSubmitter::submit_last() {
  submit_current();
  return {timeline_->handle(), value_};
}

bool StepSubmitter::done() const { return timeline_->value() >= value_; }

void StepSubmitter::wait_done() const { timeline_->wait(value_); }

void StepSubmitter::finish() {
  submit_current();
  if (profiler_ != nullptr) profiler_->count_host_wait();
  timeline_->wait(value_);
}

}  // namespace vkmoe
