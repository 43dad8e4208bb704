#include "engine/experts/expert_stats.h"

namespace vkmoe {

ExpertLayerStats& ExpertLayerStats::operator+=(const ExpertLayerStats& o) {
  uses += o.uses;
  hits += o.hits;
  prefetch_hits += o.prefetch_hits;
  misses += o.misses;
  zero_copy_reads += o.zero_copy_reads;
  prefetches += o.prefetches;
  bytes_copied += o.bytes_copied;
  bytes_zero_copy += o.bytes_zero_copy;
  copy_wait_ms += o.copy_wait_ms;
  return *this;
}

ExpertLayerStats ExpertStats::total() const {
  ExpertLayerStats sum;
  for (const auto& l : layers) sum += l;
  return sum;
}

double ExpertStats::hit_rate() const {
  ExpertLayerStats t = total();
  return t.uses == 0 ? 1.0 : double(t.hits) / double(t.uses);
}

}  // namespace vkmoe
