#include "engine/model/candidate_readback.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "loader/base/error.h"

namespace vkmoe {

// The result's entries are (id, logit bits) word pairs.
static_assert(sizeof(TokenLogit) == 8 && std::is_standard_layout_v<TokenLogit>);

CandidateReadback::CandidateReadback(vk::Context& ctx, uint32_t n_vocab) : ctx_(ctx), n_vocab_(n_vocab) {
  layout_.window_capacity = kMaxCandidateWindow;
  scratch_ = ctx.create_buffer(kernels::LogitCandidatesLayout::scratch_bytes(n_vocab));
  result_ = ctx.create_buffer(layout_.result_bytes(), vk::MemoryUsage::kReadback);
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) { cmd.fill(scratch_.range(), 0); });
}

void CandidateReadback::record(vk::CommandBuffer& cmd, const vk::BufferRange& logits, const CandidateRequest& request) {
  if (request.window_ids.size() > layout_.window_capacity) {
    throw Error(ErrorCode::kInternal, "candidate readback: more window ids than it holds");
  }
  window_ids_ = request.window_ids;
  auto* words = static_cast<uint32_t*>(result_.mapped());
  std::copy(window_ids_.begin(), window_ids_.end(), words + layout_.window_ids_word());
  result_.flush(layout_.window_ids_word() * 4, window_ids_.size() * 4);
  kernels::LogitCandidatesParams params;
  params.temperature = request.temperature;
  params.weight_total = request.weight_total;
  params.margin = request.margin;
  params.min_count = request.min_count;
  params.window_size = static_cast<uint32_t>(window_ids_.size());
  kernels::record_logit_candidates(ctx_, cmd, logits, scratch_.range(), result_.range(), n_vocab_, layout_, params);
}

LogitCandidates CandidateReadback::read() {
  result_.invalidate(0, result_.size());
  const auto* words = static_cast<const uint32_t*>(result_.mapped());
  LogitCandidates c;
  c.n_vocab = n_vocab_;
  c.listed = words[0];
  float header[3];
  std::memcpy(header, words + 1, sizeof(header));
  c.max_logit = header[0];
  c.weight_total = header[1];
  c.floor_logit = header[2];
  // Word copies (memcpy, as the words hold float bits); empty vectors may have no storage.
  entries_.resize(std::min(c.listed, layout_.capacity));
  if (!entries_.empty()) std::memcpy(entries_.data(), words + layout_.entries_word(), entries_.size() * sizeof(TokenLogit));
  window_logits_.resize(window_ids_.size());
  if (!window_logits_.empty()) {
    std::memcpy(window_logits_.data(), words + layout_.window_logits_word(), window_logits_.size() * 4);
  }
  c.entries = entries_;
  c.window_ids = window_ids_;
  c.window_logits = window_logits_;
  return c;
}

}  // namespace vkmoe
