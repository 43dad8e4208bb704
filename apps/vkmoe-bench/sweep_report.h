#pragma once
// The outputs of `vkmoe-bench --sweep-budget`: a CSV row per point, and an SVG line chart of
// tokens/s against the VRAM the model used.
#include <cstdio>

#include "apps/vkmoe-bench/budget_sweep.h"

namespace vkmoe::bench {

// Header: model,test,expert_slots,total_experts,budget_bytes,avg_ts,stddev_ts,expert_hit_rate,
// bytes_streamed_per_token; budget_bytes is the VRAM the point used (weights + slot pool +
// KV cache and scratch).
void write_sweep_csv(std::FILE* out, const BudgetSweep& sweep);

// A standalone SVG document: axes with ticks and labels, the mean t/s as a line with a marker
// per point, ± one sample standard deviation as error bars.
void write_sweep_svg(std::FILE* out, const BudgetSweep& sweep);

}  // namespace vkmoe::bench
