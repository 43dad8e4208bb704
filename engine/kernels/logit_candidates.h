#pragma once
// The sampler's candidates from one row of logits (shaders/logit_candidates.comp): the max,
// Σ exp((x − max) / T), a floor, every token whose logit reaches the floor, and the logits
// of a window of token ids. Two dispatches with a barrier between them.
//
// floor = min(max − margin, a logit that at least min_count tokens reach); min_count 0 leaves
// max − margin. NaN logits are ignored.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/logit_candidates.comp.
struct LogitCandidatesPush {
  uint32_t n;
  uint32_t groups;
  float inv_temperature;
  float margin;
  uint32_t min_count;
  uint32_t window_size;
  uint32_t window_capacity;
  uint32_t capacity;
};
static_assert(sizeof(LogitCandidatesPush) == 32);

// The result buffer, in 32-bit words: listed, max, weight total, floor; window ids
// [window_capacity] (written by the host), window logits [window_capacity]; then (id, logit)
// entries [capacity].
struct LogitCandidatesLayout {
  uint32_t window_capacity = 256;
  uint32_t capacity = 4096;

  static constexpr uint64_t kHeaderWords = 4;
  uint64_t window_ids_word() const { return kHeaderWords; }
  uint64_t window_logits_word() const { return kHeaderWords + window_capacity; }
  uint64_t entries_word() const { return kHeaderWords + 2ull * window_capacity; }
  uint64_t result_bytes() const { return (entries_word() + 2ull * capacity) * 4; }
  // The scratch buffer for n logits; zero it once when it is created.
  static uint64_t scratch_bytes(uint32_t n);
};

struct LogitCandidatesParams {
  float temperature = 1.0f;  // > 0; scales the weight total only
  bool weight_total = true;  // false: skip it (reads back 0)
  float margin = 0.0f;       // >= 0, may be +inf
  uint32_t min_count = 0;
  uint32_t window_size = 0;  // ids already in the result buffer, at most window_capacity
};

// x: n floats (n up to 2^24); scratch: scratch_bytes(n); result: layout.result_bytes().
void record_logit_candidates(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& x,
                             const vk::BufferRange& scratch, const vk::BufferRange& result, uint32_t n,
                             const LogitCandidatesLayout& layout, const LogitCandidatesParams& params);

}  // namespace vkmoe::kernels
