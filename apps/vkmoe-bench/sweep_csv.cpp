#include "apps/vkmoe-bench/report.h"
#include "apps/vkmoe-bench/sweep_report.h"

namespace vkmoe::bench {

void write_sweep_csv(std::FILE* out, const BudgetSweep& sweep) {
  std::fprintf(out, "model,test,expert_slots,total_experts,budget_bytes,avg_ts,stddev_ts,expert_hit_rate,bytes_streamed_per_token\n");
  const std::string model = csv_escape(sweep.model);
  for (const SweepPoint& p : sweep.points) {
    std::fprintf(out, "%s,%s,%u,%u,%llu,%.6g,%.6g,%.6f,%.1f\n", model.c_str(), sweep.test.c_str(), p.vram.expert_slots,
                 p.vram.total_experts, static_cast<unsigned long long>(p.vram.total()), p.avg_ts, p.stddev_ts, p.hit_rate,
                 p.bytes_per_token);
  }
}

}  // namespace vkmoe::bench
