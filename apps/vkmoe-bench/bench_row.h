#pragma once
// One result row: a test on a model on a device, with everything llama-bench prints plus the
// expert-streaming and bandwidth-bound columns of vkmoe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/common/copy_bandwidth.h"
#include "apps/vkmoe-bench/model_profile.h"
#include "apps/vkmoe-bench/speed_test.h"
#include "apps/vkmoe-bench/vram_use.h"

namespace vkmoe::bench {

struct BenchRow {
  ModelProfile model;
  std::string device;
  std::string driver;
  VramUse vram;                  // vram.budget is the budget column; "full" = every expert resident
  std::string test;              // "pp512", "tg128"
  uint32_t n_prompt = 0;
  uint32_t n_gen = 0;
  uint32_t ubatch = 0;
  uint32_t warmup = 0;
  std::vector<double> samples_ts;
  double avg_ts = 0;
  double stddev_ts = 0;          // sample standard deviation (n - 1); 0 for one sample
  uint64_t vram_allocated_bytes = 0;  // device-local bytes vkmoe's allocator held during the test
  ExpertLayerStats experts;      // the expert store's totals over the timed repetitions
  uint64_t tokens_evaluated = 0; // tokens those statistics cover
  double expert_hit_rate = 1.0;  // hits / uses; 1 when resident
  uint64_t expert_bytes_streamed = 0;   // copied into slots + read in place from host memory
  double expert_bytes_per_token = 0;    // expert_bytes_streamed / tokens_evaluated
  double copy_bandwidth = 0;     // bytes/s, read + written
  // Generation rows only: copy_bandwidth / active_bytes_per_token, and avg_ts over it.
  std::optional<double> bound_ts;
  std::optional<double> bound_fraction;
  // With --compare-resident on a streaming run: the same test with every expert resident.
  std::optional<double> resident_ts;
  std::optional<double> speed_vs_resident;  // avg_ts / resident_ts
  // Generation rows of that comparison: the streaming model's t/s, 1 / (1 / resident_ts +
  // expert_bytes_per_token / upload bandwidth), and the measured time per token over it.
  std::optional<double> model_ts;
  std::optional<double> time_vs_model;
  std::optional<StepProfile> profile;  // with --profile
};

BenchRow make_row(const ModelProfile& model, const std::string& device, const std::string& driver, const VramUse& vram,
                  const cli::CopyBandwidth& bandwidth, const SpeedTest& test, const SpeedRun& run, const SpeedResult& result);

// Fills the comparison fields of `rows` (a streaming run) from `resident` (the same tests,
// every expert resident), matched by test name.
void add_resident_comparison(std::vector<BenchRow>& rows, const std::vector<BenchRow>& resident,
                             const cli::CopyBandwidth& upload);

}  // namespace vkmoe::bench
