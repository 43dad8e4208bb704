#pragma once
// One session's timestamps around every unit of its steps (the embedding lookup, each layer,
// the output head): each finished step's times go to the model's UnitCosts, which the
// frame-budgeted path asks how many units fit a budget.
#include <cstdint>
#include <memory>

#include "engine/vk/command_buffer.h"
#include "engine/vk/device.h"
#include "engine/api/unit_costs.h"
#include "engine/vk/timestamp_pool.h"

namespace vkmoe::api {

class UnitTimings {
 public:
  // Without timestamps on the device nothing is ever timed: every estimate stays empty.
  UnitTimings(vk::Device& device, UnitCosts& costs, uint32_t n_units);

  void begin_step(vk::CommandBuffer& cmd);  // recorded once at the start of a step
  void unit_begins(vk::CommandBuffer& cmd, uint32_t unit);
  void unit_ends(vk::CommandBuffer& cmd, uint32_t unit);
  // Reads the timestamps of the step that just finished (every unit was recorded).
  void step_finished(uint32_t n_tokens);

  std::optional<double> estimate_us(uint32_t unit, uint32_t n_tokens) const { return costs_.estimate_us(unit, n_tokens); }
  double last_token_us() const { return last_token_us_; }  // the last one-token step, all units

 private:
  std::unique_ptr<vk::TimestampPool> pool_;
  UnitCosts& costs_;
  uint32_t n_units_;
  double last_token_us_ = 0;
};

}  // namespace vkmoe::api
