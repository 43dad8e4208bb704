#include "apps/common/expert_stats_report.h"

#include <cinttypes>

namespace vkmoe::cli {
namespace {

double mib(uint64_t bytes) { return double(bytes) / double(1 << 20); }

void print_row(std::FILE* out, const char* label, const ExpertLayerStats& s) {
  std::fprintf(out, "%-6s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %10" PRIu64 " %12.2f %12.2f %10.2f\n",
               label, s.uses, s.hits, s.misses, s.prefetch_hits, s.zero_copy_reads, s.prefetches, mib(s.bytes_copied),
               mib(s.bytes_zero_copy), s.copy_wait_ms);
}

}  // namespace

void print_expert_stats(std::FILE* out, const Model& model) {
  std::fprintf(out, "expert cache statistics\n");
  if (model.config().n_expert == 0) {
    std::fprintf(out, "the model has no experts; nothing to stream\n");
    return;
  }
  std::fprintf(out, "%s\n", model.placement().describe().c_str());
  const ExpertStore* store = model.experts();
  if (store == nullptr) {
    std::fprintf(out, "every expert is resident in VRAM: nothing to stream, every expert use is a hit\n");
    return;
  }
  const ExpertStats& stats = store->stats();
  std::fprintf(out, "%-6s %9s %9s %9s %9s %9s %10s %12s %12s %10s\n", "layer", "uses", "hits", "misses", "prefetch",
               "zero-copy", "prefetched", "copied MiB", "in-place MiB", "wait ms");
  std::fprintf(out, "%-6s %9s %9s %9s %9s %9s %10s %12s %12s %10s\n", "", "", "", "", "hits", "reads", "", "", "", "");
  for (size_t layer = 0; layer < stats.layers.size(); ++layer) {
    if (stats.layers[layer].uses == 0) continue;
    print_row(out, std::to_string(layer).c_str(), stats.layers[layer]);
  }
  const ExpertLayerStats total = stats.total();
  print_row(out, "total", total);
  std::fprintf(out, "hit rate %.1f%% (%" PRIu64 " of %" PRIu64 " expert uses served from VRAM); %" PRIu64
               " expert slots, %.2f MiB pool\n",
               100.0 * stats.hit_rate(), total.hits, total.uses, uint64_t(store->n_slots()), mib(store->pool_bytes()));
  std::fprintf(out,
               "a use is one expert needed by one layer in one step; copied = misses and prefetches copied into "
               "slots; in-place = misses read from host memory (zero-copy); wait = host time stalled on copies\n");
}

}  // namespace vkmoe::cli
