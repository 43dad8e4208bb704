#pragma once
// GPU time of each unit of a model step (the embedding lookup, each layer, the output head),
// measured with timestamps written around every unit, so the frame-budgeted path knows how
// many units fit a budget. One-token steps and prompt steps are timed apart: a prompt unit's
// cost is kept per token. A unit not timed yet has no estimate.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/vk/command_buffer.h"
#include "engine/vk/device.h"
#include "engine/vk/timestamp_pool.h"

namespace vkmoe::api {

class UnitTimings {
 public:
  // Without timestamps on the device nothing is ever timed: every estimate stays empty.
  UnitTimings(vk::Device& device, uint32_t n_units);

  void begin_step(vk::CommandBuffer& cmd);  // recorded once at the start of a step
  void unit_begins(vk::CommandBuffer& cmd, uint32_t unit);
  void unit_ends(vk::CommandBuffer& cmd, uint32_t unit);
  // Reads the timestamps of the step that just finished (every unit was recorded).
  void step_finished(uint32_t n_tokens);

  std::optional<double> estimate_us(uint32_t unit, uint32_t n_tokens) const;
  double last_token_us() const { return last_token_us_; }  // the last one-token step, all units

 private:
  std::unique_ptr<vk::TimestampPool> pool_;
  uint32_t n_units_;
  std::vector<double> one_token_us_;   // < 0: not timed yet
  std::vector<double> per_token_us_;   // prompt steps, per token
  double last_token_us_ = 0;
};

}  // namespace vkmoe::api
