#include "engine/api/unit_timings.h"

#include <algorithm>

namespace vkmoe::api {

UnitTimings::UnitTimings(vk::Device& device, UnitCosts& costs, uint32_t n_units) : costs_(costs), n_units_(n_units) {
  if (device.caps().timestamps) pool_ = vk::TimestampPool::create(device, 2 * n_units);
}

void UnitTimings::begin_step(vk::CommandBuffer& cmd) {
  if (pool_) cmd.reset_timestamps(*pool_);
}

void UnitTimings::unit_begins(vk::CommandBuffer& cmd, uint32_t unit) {
  if (pool_) cmd.write_timestamp(*pool_, 2 * unit);
}

void UnitTimings::unit_ends(vk::CommandBuffer& cmd, uint32_t unit) {
  if (pool_) cmd.write_timestamp(*pool_, 2 * unit + 1);
}

void UnitTimings::step_finished(uint32_t n_tokens) {
  if (!pool_ || n_tokens == 0) return;
  const std::vector<double> ns = pool_->read_ns(2 * n_units_);
  double total = 0;
  for (uint32_t u = 0; u < n_units_; ++u) {
    const double us = std::max(0.0, ns[2 * u + 1] - ns[2 * u]) / 1000.0;
    total += us;
    costs_.record(u, n_tokens, us);
  }
  if (n_tokens == 1) last_token_us_ = total;
}

}  // namespace vkmoe::api
