#pragma once
// A session's readback for sampled steps (kernels/logit_candidates.h): a scratch buffer for
// the kernel's partials and tickets, and a host-visible result that the host writes the
// repetition penalty's window into before the step and reads the candidates from after it.
// For a 152k vocabulary that is a few hundred (id, logit) pairs where the logits row is
// 600 KB, and the host's softmax over the vocabulary becomes the GPU's.
#include <cstdint>
#include <vector>

#include "engine/sampler/logit_candidates.h"
#include "engine/vk/buffer.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "engine/kernels/logit_candidates.h"

namespace vkmoe {

class CandidateReadback {
 public:
  CandidateReadback(vk::Context& ctx, uint32_t n_vocab);

  // Writes the window ids and records the kernel over `logits` (n_vocab floats).
  void record(vk::CommandBuffer& cmd, const vk::BufferRange& logits, const CandidateRequest& request);
  // The candidates of the last recorded step once its GPU work has finished; they stay valid
  // until the next read() or record().
  LogitCandidates read();

 private:
  vk::Context& ctx_;
  uint32_t n_vocab_;
  kernels::LogitCandidatesLayout layout_;
  vk::Buffer scratch_;
  vk::Buffer result_;
  std::vector<uint32_t> window_ids_;
  std::vector<float> window_logits_;
  std::vector<TokenLogit> entries_;
};

}  // namespace vkmoe
