#pragma once
// `vkmoe-bench --sweep-budget N`: generation speed across VRAM budgets. Each point loads the
// model anew with an exact expert-slot count (from one layer's top-k, the least that works,
// to every expert) and runs the tg test on it, so the curve shows what each byte of VRAM
// given to the expert cache buys.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/vkmoe-bench/speed_test.h"
#include "apps/vkmoe-bench/vram_use.h"
#include "engine/model/model.h"

namespace vkmoe::bench {

struct SweepPoint {
  VramUse vram;               // vram.total() is the point's place on the budget axis
  double avg_ts = 0;
  double stddev_ts = 0;
  double hit_rate = 1.0;
  double bytes_per_token = 0;  // expert bytes copied or read in place, per evaluated token
};

struct BudgetSweep {
  std::string model;          // file name
  std::string test;           // "tg128"
  std::vector<SweepPoint> points;  // by slot count, ascending
};

// `points` slot counts spaced evenly from `top_k` to `total_experts`, both included, rounded
// to whole slots; repeats (more points than counts) are dropped.
std::vector<uint32_t> sweep_slot_counts(uint32_t top_k, uint32_t total_experts, uint32_t points);

// Runs `test` at each slot count. `first` is the model already loaded with slot_counts[0]
// slots (released once the next point loads); the others load from `path` on the same context.
// `progress(point, count)` is called after each point.
BudgetSweep run_budget_sweep(std::unique_ptr<Model> first, const std::string& path, const std::vector<uint32_t>& slot_counts,
                             const ModelOptions& options, const SpeedTest& test, const SpeedRun& run,
                             const std::function<void(const SweepPoint&, size_t index)>& progress = {});

}  // namespace vkmoe::bench
