#pragma once
// Bytes written out of the total on stderr: a bar redrawn in place on a terminal, otherwise a
// line at every tenth so logs stay short.
#include <chrono>
#include <cstdint>

namespace vkmoe::synth {

class ProgressBar {
 public:
  explicit ProgressBar(uint64_t total_bytes);
  void update(uint64_t done_bytes);
  void finish();

 private:
  uint64_t total_;
  bool tty_;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace vkmoe::synth
