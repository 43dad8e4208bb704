#pragma once
// One result row: a test on a model on a device, with everything llama-bench prints plus the
// expert-streaming and bandwidth-bound columns of vkmoe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/vkmoe-bench/copy_bandwidth.h"
#include "apps/vkmoe-bench/model_profile.h"
#include "apps/vkmoe-bench/speed_test.h"

namespace vkmoe::bench {

struct BenchRow {
  ModelProfile model;
  std::string device;
  std::string driver;
  std::string budget;            // VRAM budget for experts; "full" = every expert resident
  std::string test;              // "pp512", "tg128"
  uint32_t n_prompt = 0;
  uint32_t n_gen = 0;
  uint32_t ubatch = 0;
  uint32_t warmup = 0;
  std::vector<double> samples_ts;
  double avg_ts = 0;
  double stddev_ts = 0;          // sample standard deviation (n - 1); 0 for one sample
  uint64_t vram_bytes = 0;       // device-local bytes held by vkmoe's allocator during the test
  double expert_hit_rate = 1.0;  // expert lookups served from VRAM
  uint64_t expert_bytes_streamed = 0;
  double copy_bandwidth = 0;     // bytes/s, read + written
  // Generation rows only: copy_bandwidth / active_bytes_per_token, and avg_ts over it.
  std::optional<double> bound_ts;
  std::optional<double> bound_fraction;
};

BenchRow make_row(const ModelProfile& model, const std::string& device, const std::string& driver,
                  const CopyBandwidth& bandwidth, const SpeedTest& test, const SpeedRun& run, const SpeedResult& result);

}  // namespace vkmoe::bench
