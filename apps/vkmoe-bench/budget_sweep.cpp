#include "apps/vkmoe-bench/budget_sweep.h"

#include <cmath>
#include <filesystem>

#include "apps/vkmoe-bench/sample_stats.h"
#include "loader/base/error.h"

namespace vkmoe::bench {

std::vector<uint32_t> sweep_slot_counts(uint32_t top_k, uint32_t total_experts, uint32_t points) {
  if (top_k == 0 || total_experts < top_k) {
    throw Error(ErrorCode::kInvalidArgument, "--sweep-budget: a model with " + std::to_string(total_experts) +
                                                 " experts and top-" + std::to_string(top_k) + " routing has nothing to sweep");
  }
  std::vector<uint32_t> counts;
  const double span = double(total_experts - top_k);
  for (uint32_t i = 0; i < points; ++i) {
    const double at = points == 1 ? 0.0 : span * double(i) / double(points - 1);
    const uint32_t count = top_k + static_cast<uint32_t>(std::lround(at));
    if (counts.empty() || counts.back() != count) counts.push_back(count);
  }
  return counts;
}

BudgetSweep run_budget_sweep(std::unique_ptr<Model> first, const std::string& path, const std::vector<uint32_t>& slot_counts,
                             const ModelOptions& options, const SpeedTest& test, const SpeedRun& run,
                             const std::function<void(const SweepPoint&, size_t)>& progress) {
  vk::Context& ctx = first->context();
  BudgetSweep sweep;
  sweep.model = std::filesystem::path(path).filename().string();
  sweep.test = test.name();
  std::unique_ptr<Model> model = std::move(first);
  for (size_t i = 0; i < slot_counts.size(); ++i) {
    if (i > 0) {
      ModelOptions point_options = options;
      point_options.experts.expert_slots = slot_counts[i];
      model.reset();  // the previous point's pool and weights go before the next allocates
      model = Model::load(ctx, path, point_options);
    }
    SpeedResult result = run_speed_test(*model, test, run);
    SweepPoint p;
    p.vram = vram_use_of(*model);
    p.avg_ts = mean(result.tokens_per_second);
    p.stddev_ts = sample_stddev(result.tokens_per_second, p.avg_ts);
    p.hit_rate = result.expert_hit_rate();
    p.bytes_per_token = result.expert_bytes_per_token();
    sweep.points.push_back(p);
    if (progress) progress(p, i);
  }
  return sweep;
}

}  // namespace vkmoe::bench
