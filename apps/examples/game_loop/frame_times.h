#pragma once
// Frame times of one phase of the loop and their percentiles (nearest rank).
#include <algorithm>
#include <cmath>
#include <vector>

class FrameTimes {
 public:
  void add(double ms) { ms_.push_back(ms); }
  size_t count() const { return ms_.size(); }
  // The smallest time that at least `p` percent of the frames do not exceed; 0 with no frames.
  double percentile(double p) const {
    if (ms_.empty()) return 0.0;
    std::vector<double> sorted = ms_;
    std::sort(sorted.begin(), sorted.end());
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * double(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
  }

 private:
  std::vector<double> ms_;
};
