#pragma once
// Mean and sample standard deviation of repeated measurements, as llama-bench reports them.
#include <cmath>
#include <vector>

namespace vkmoe::bench {

inline double mean(const std::vector<double>& xs) {
  double sum = 0;
  for (double x : xs) sum += x;
  return xs.empty() ? 0 : sum / static_cast<double>(xs.size());
}

// Divides by n - 1; 0 for fewer than two samples.
inline double sample_stddev(const std::vector<double>& xs, double m) {
  if (xs.size() < 2) return 0;
  double sum = 0;
  for (double x : xs) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(xs.size() - 1));
}

}  // namespace vkmoe::bench
