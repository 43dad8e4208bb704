#include "apps/vkmoe-bench/bench_row.h"

#include "apps/vkmoe-bench/sample_stats.h"

namespace vkmoe::bench {

BenchRow make_row(const ModelProfile& model, const std::string& device, const std::string& driver, const VramUse& vram,
                  const cli::CopyBandwidth& bandwidth, const SpeedTest& test, const SpeedRun& run, const SpeedResult& result) {
  BenchRow r;
  r.model = model;
  r.device = device;
  r.driver = driver;
  r.vram = vram;
  bool generate = test.kind == SpeedTest::Kind::kGenerate;
  r.test = test.name() + (generate && !Sampler(run.sampling).greedy() ? " sampled" : "");
  r.n_prompt = generate ? 0 : test.n_tokens;
  r.n_gen = generate ? test.n_tokens : 0;
  r.ubatch = run.ubatch;
  r.warmup = run.warmup;
  r.samples_ts = result.tokens_per_second;
  r.avg_ts = mean(r.samples_ts);
  r.stddev_ts = sample_stddev(r.samples_ts, r.avg_ts);
  r.vram_allocated_bytes = result.device_local_bytes;
  r.experts = result.experts;
  r.tokens_evaluated = result.tokens_evaluated;
  r.expert_hit_rate = result.expert_hit_rate();
  r.expert_bytes_streamed = result.expert_bytes_streamed();
  r.expert_bytes_per_token = result.expert_bytes_per_token();
  r.copy_bandwidth = bandwidth.bytes_per_second;
  r.profile = result.profile;
  if (generate && model.active_bytes_per_token > 0) {
    r.bound_ts = bandwidth.bytes_per_second / model.active_bytes_per_token;
    r.bound_fraction = r.avg_ts / *r.bound_ts;
  }
  return r;
}

void add_resident_comparison(std::vector<BenchRow>& rows, const std::vector<BenchRow>& resident,
                             const cli::CopyBandwidth& upload) {
  for (BenchRow& row : rows) {
    for (const BenchRow& base : resident) {
      if (base.test != row.test || base.avg_ts <= 0) continue;
      row.resident_ts = base.avg_ts;
      row.speed_vs_resident = row.avg_ts / base.avg_ts;
      if (row.n_gen > 0 && upload.bytes_per_second > 0) {
        const double model_seconds = 1.0 / base.avg_ts + row.expert_bytes_per_token / upload.bytes_per_second;
        row.model_ts = 1.0 / model_seconds;
        row.time_vs_model = (1.0 / row.avg_ts) / model_seconds;
      }
    }
  }
}

}  // namespace vkmoe::bench
