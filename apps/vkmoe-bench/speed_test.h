#pragma once
// The two llama-bench tests, timed by the wall clock around each step (recording, submission,
// GPU wait and the read-back: what an application waits for). A prompt reads back its last
// logits; a decode step, as greedy decoding does, only the token its GPU argmax picked:
//   ppN  an N-token random prompt evaluated from position 0;     t/s = N / time
//   tgN  N one-token steps after an untimed one-token prompt;     t/s = N / time
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/experts/expert_stats.h"
#include "engine/model/model.h"
#include "engine/profile/step_profile.h"
#include "engine/sampler/sampler.h"

namespace vkmoe::bench {

struct SpeedTest {
  enum class Kind { kPrompt, kGenerate };
  Kind kind = Kind::kPrompt;
  uint32_t n_tokens = 0;
  std::string name() const;  // "pp512", "tg128"
};

struct SpeedRun {
  uint32_t repetitions = 1;
  uint32_t warmup = 1;
  uint32_t ubatch = 512;    // prompt tokens per GPU step
  bool profile = false;     // time every kernel of the timed repetitions
  SamplingParams sampling;  // how a decode step picks its token
};

struct SpeedResult {
  std::vector<double> tokens_per_second;  // one per timed repetition
  uint64_t device_local_bytes = 0;        // the allocator's device-local total while the session lived
  // The expert store's totals over the timed repetitions (all zero when every expert is
  // resident), and the tokens evaluated meanwhile: for tgN that is N + 1 per repetition, the
  // untimed one-token prompt included, since the cache serves it too.
  ExpertLayerStats experts;
  uint64_t tokens_evaluated = 0;
  // With run.profile: every step of the timed repetitions (tgN: the one-token prompts too).
  std::optional<StepProfile> profile;

  double expert_hit_rate() const;           // hits / uses; 1 when there were no uses
  uint64_t expert_bytes_streamed() const;   // copied into slots + read in place from host memory
  double expert_bytes_per_token() const;    // expert_bytes_streamed / tokens_evaluated
};

// `progress(repetition, tokens_per_second)` is called after each timed repetition.
SpeedResult run_speed_test(const Model& model, const SpeedTest& test, const SpeedRun& run,
                           const std::function<void(uint32_t, double)>& progress = {});

}  // namespace vkmoe::bench
