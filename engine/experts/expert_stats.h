#pragma once
// What the expert store did, per MoE layer and in total. A "use" is one expert needed by one
// step of one layer (however many tokens it serves); every use is a hit (already in VRAM) or
// a miss (copied into a slot, or read from host memory in place: a zero-copy read).
#include <cstdint>
#include <vector>

namespace vkmoe {

struct ExpertLayerStats {
  uint64_t uses = 0;
  uint64_t hits = 0;
  uint64_t prefetch_hits = 0;    // hits on an expert brought in by prefetch, first use after it
  uint64_t misses = 0;
  uint64_t zero_copy_reads = 0;  // misses read from host memory in place
  uint64_t prefetches = 0;       // experts copied ahead on a prediction
  uint64_t bytes_copied = 0;     // host → VRAM, misses and prefetches
  uint64_t bytes_zero_copy = 0;  // read in place from host memory
  double copy_wait_ms = 0;       // time the host waited for copies before it could submit compute

  ExpertLayerStats& operator+=(const ExpertLayerStats& o);
};

struct ExpertStats {
  std::vector<ExpertLayerStats> layers;  // indexed by layer; dense layers stay zero
  ExpertLayerStats total() const;
  double hit_rate() const;  // hits / uses, 1 when there were no uses
};

}  // namespace vkmoe
