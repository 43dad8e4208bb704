#include "apps/vkmoe-synth/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace vkmoe::synth {
namespace {

double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

ProgressBar::ProgressBar(uint64_t total_bytes) : total_(total_bytes == 0 ? 1 : total_bytes), tty_(isatty(2) != 0) {}

void ProgressBar::update(uint64_t done) {
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  if (!tty_) {
    const int tenth = static_cast<int>(fraction * 10.0);
    if (tenth == last_tenth_) return;
    last_tenth_ = tenth;
    std::fprintf(stderr, "vkmoe-synth: %3d%%  %.1f / %.1f MiB\n", tenth * 10, mib(done), mib(total_));
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 40;
  const int filled = static_cast<int>(fraction * kWidth);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  std::fprintf(stderr, "\r[%s] %5.1f%%  %.1f / %.1f MiB", bar, fraction * 100.0, mib(done), mib(total_));
  std::fflush(stderr);
}

void ProgressBar::finish() {
  update(total_);
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace vkmoe::synth
