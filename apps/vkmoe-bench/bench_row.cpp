#include "apps/vkmoe-bench/bench_row.h"

#include <cmath>

namespace vkmoe::bench {
namespace {

double mean(const std::vector<double>& xs) {
  double sum = 0;
  for (double x : xs) sum += x;
  return xs.empty() ? 0 : sum / static_cast<double>(xs.size());
}

double sample_stddev(const std::vector<double>& xs, double m) {
  if (xs.size() < 2) return 0;
  double sum = 0;
  for (double x : xs) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(xs.size() - 1));
}

}  // namespace

BenchRow make_row(const ModelProfile& model, const std::string& device, const std::string& driver,
                  const CopyBandwidth& bandwidth, const SpeedTest& test, const SpeedRun& run, const SpeedResult& result) {
  BenchRow r;
  r.model = model;
  r.device = device;
  r.driver = driver;
  r.budget = "full";
  r.test = test.name();
  bool generate = test.kind == SpeedTest::Kind::kGenerate;
  r.n_prompt = generate ? 0 : test.n_tokens;
  r.n_gen = generate ? test.n_tokens : 0;
  r.ubatch = run.ubatch;
  r.warmup = run.warmup;
  r.samples_ts = result.tokens_per_second;
  r.avg_ts = mean(r.samples_ts);
  r.stddev_ts = sample_stddev(r.samples_ts, r.avg_ts);
  r.vram_bytes = result.device_local_bytes;
  r.copy_bandwidth = bandwidth.bytes_per_second;
  if (generate && model.active_bytes_per_token > 0) {
    r.bound_ts = bandwidth.bytes_per_second / model.active_bytes_per_token;
    r.bound_fraction = r.avg_ts / *r.bound_ts;
  }
  return r;
}

}  // namespace vkmoe::bench
