#include "engine/experts/expert_store.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <utility>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

constexpr uint64_t kSlotAlignment = 256;
const char* const kMatrixSuffix[kExpertMatrices] = {"ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight"};

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// How many matrices of `bytes` one binding of `limit` bytes holds; `what` names them when
// not even one fits.
uint64_t matrices_per_binding(uint64_t limit, uint64_t bytes, const std::string& what) {
  if (bytes > limit) {
    throw Error(ErrorCode::kUnsupported, what + ": one expert (" + std::to_string(bytes) +
                                             " bytes) exceeds the device's storage buffer range of " + std::to_string(limit));
  }
  return limit / bytes;
}

}  // namespace

std::string expert_tensor_name(uint32_t layer, ExpertMatrix which) {
  return "blk." + std::to_string(layer) + "." + kMatrixSuffix[static_cast<uint32_t>(which)];
}

uint32_t experts_per_binding(const vk::DeviceCaps& caps, const ModelWeights& weights, uint32_t layer, uint32_t n_expert) {
  const uint64_t limit = caps.max_storage_buffer_range - std::min(caps.max_storage_buffer_range, caps.min_storage_buffer_offset_alignment);
  uint64_t per = n_expert;
  for (uint32_t m = 0; m < kExpertMatrices; ++m) {
    const std::string name = expert_tensor_name(layer, ExpertMatrix(m));
    per = std::min(per, matrices_per_binding(limit, weights.get(name).expert_bytes, name));
  }
  return static_cast<uint32_t>(per);
}

std::array<uint64_t, kExpertMatrices> expert_slot_strides(const ModelConfig& config, const ExpertBytesOf& expert_bytes_of) {
  std::array<uint64_t, kExpertMatrices> strides{};
  for (uint32_t layer = 0; layer < config.n_layer; ++layer) {
    for (uint32_t m = 0; m < kExpertMatrices; ++m) {
      strides[m] = std::max(strides[m], align_up(expert_bytes_of(expert_tensor_name(layer, ExpertMatrix(m))), kSlotAlignment));
    }
  }
  return strides;
}

ExpertStore::ExpertStore(vk::Context& ctx, const ModelConfig& config, const ModelWeights& weights, uint32_t n_slots,
                         const ExpertOptions& options)
    : ctx_(ctx), config_(config), weights_(weights), options_(options), cache_(n_slots, options.policy),
      slot_states_(n_slots), tables_(ctx, config.n_expert) {
  strides_ = expert_slot_strides(config, [&](const std::string& name) {
    const DeviceTensor* t = weights.find(name);
    return t != nullptr ? t->expert_bytes : 0;
  });
  const uint64_t limit = std::min(ctx.caps().max_storage_buffer_range, ctx.caps().max_memory_allocation_size);
  uint64_t per_bank = UINT32_MAX;
  for (uint32_t m = 0; m < kExpertMatrices; ++m) {
    if (strides_[m] == 0) throw Error(ErrorCode::kInvalidArgument, "expert store: the model has no stacked expert tensors");
    per_bank = std::min(per_bank, matrices_per_binding(limit, strides_[m], std::string("a slot of ") + kMatrixSuffix[m]));
  }
  if (options.max_slots_per_bank > 0) per_bank = std::min<uint64_t>(per_bank, options.max_slots_per_bank);
  slots_per_bank_ = static_cast<uint32_t>(per_bank);
  for (uint32_t first = 0; first < n_slots; first += slots_per_bank_) {
    Bank bank;
    bank.first_slot = first;
    bank.n_slots = std::min(slots_per_bank_, n_slots - first);
    for (uint32_t m = 0; m < kExpertMatrices; ++m) {
      bank.matrices[m] = ctx.create_buffer(strides_[m] * bank.n_slots);
      pool_bytes_ += bank.matrices[m].size();
    }
    banks_.push_back(std::move(bank));
  }
  copy_queue_ = ctx.device().transfer_queue() != nullptr ? ctx.device().transfer_queue() : &ctx.device().compute_queue();
  transfer_timeline_ = vk::TimelineSemaphore::create(ctx.device());
  stats_.layers.resize(config.n_layer);
  expert_bytes_.resize(config.n_layer, 0);
  host_window_.resize(config.n_layer, 0);
  for (uint32_t layer = 0; layer < config.n_layer; ++layer) {
    if (weights.find(expert_tensor_name(layer, ExpertMatrix::kGate)) == nullptr) continue;
    for (uint32_t m = 0; m < kExpertMatrices; ++m) {
      expert_bytes_[layer] += weights.get(expert_tensor_name(layer, ExpertMatrix(m))).expert_bytes;
    }
    host_window_[layer] = experts_per_binding(ctx.caps(), weights, layer, config.n_expert);
  }
}

ExpertStore::~ExpertStore() {
  // Copies may still be writing the pools (an unused prefetch); let them land first.
  if (transfer_timeline_) transfer_timeline_->wait(transfer_value_);
}

void ExpertStore::reset_stats() { stats_.layers.assign(config_.n_layer, ExpertLayerStats{}); }

void ExpertStore::begin_step() {
  tables_.reset();
  for (SlotState& s : slot_states_) s.last_read.reset();
}

uint32_t ExpertStore::plan_layer(uint32_t layer, std::span<const uint32_t> rows_per_expert) {
  if (rows_per_expert.size() != config_.n_expert) throw Error(ErrorCode::kInternal, "expert store: row counts of the wrong length");
  layer_ = layer;
  rows_.assign(rows_per_expert.begin(), rows_per_expert.end());
  // Resident experts first: their waves compute while the misses are copied.
  std::vector<uint32_t> needed;
  for (int resident = 1; resident >= 0; --resident) {
    for (uint32_t e = 0; e < config_.n_expert; ++e) {
      if (rows_[e] > 0 && cache_.find({layer, e}).has_value() == bool(resident)) needed.push_back(e);
    }
  }
  stats_.layers[layer].uses += needed.size();
  const size_t wave_size = needed.size() <= n_slots() ? std::max<size_t>(needed.size(), 1) : std::max<uint32_t>(n_slots() / 2, 1);
  waves_.clear();
  for (size_t at = 0; at < needed.size(); at += wave_size) {
    waves_.emplace_back(needed.begin() + at, needed.begin() + std::min(needed.size(), at + wave_size));
  }
  wave_slots_.assign(waves_.size(), {});
  return static_cast<uint32_t>(waves_.size());
}

std::optional<uint32_t> ExpertStore::take_slot(ExpertKey key) {
  std::optional<uint32_t> slot = cache_.choose_slot();
  if (!slot) return std::nullopt;
  cache_.place(key, *slot);
  SlotState& state = slot_states_[*slot];
  state.prefetched = false;  // last_read stays: the copy into the slot must wait for it
  return slot;
}

ExpertWave ExpertStore::stage_wave(uint32_t wave) {
  const std::vector<uint32_t>& experts = waves_.at(wave);
  ExpertLayerStats& stats = stats_.layers[layer_];
  const uint64_t bytes = expert_bytes_[layer_];

  cache_.clear_guards();
  if (wave > 0) {
    for (uint32_t s : wave_slots_[wave - 1]) cache_.guard(s, SlotGuard::kSoft);  // still being read
  }
  for (size_t later = wave + 1; later < waves_.size(); ++later) {
    for (uint32_t e : waves_[later]) {
      if (auto s = cache_.find({layer_, e})) cache_.guard(*s, SlotGuard::kSoft);  // needed again soon
    }
  }
  std::vector<uint32_t> slot_of(config_.n_expert, kernels::kAbsentSlot);
  for (uint32_t e : experts) {
    if (auto s = cache_.find({layer_, e})) {
      slot_of[e] = *s;
      cache_.guard(*s, SlotGuard::kHard);
      ++stats.hits;
      if (std::exchange(slot_states_[*s].prefetched, false)) ++stats.prefetch_hits;
    }
  }
  std::vector<uint32_t> in_place;
  std::vector<Copy> copies;
  for (uint32_t e : experts) {
    if (slot_of[e] != kernels::kAbsentSlot) continue;
    const ExpertKey key{layer_, e};
    ++stats.misses;
    if (options_.zero_copy && rows_[e] <= 1 && !cache_.has_free_slot()) {
      // One token reads each weight once: reading it over the bus in place costs what the
      // copy would, and keeps the more used expert the copy would evict.
      std::optional<uint32_t> victim = cache_.choose_slot();
      if (victim && cache_.use_count(key) < cache_.use_count(*cache_.occupant(*victim))) {
        in_place.push_back(e);
        ++stats.zero_copy_reads;
        stats.bytes_zero_copy += bytes;
        continue;
      }
    }
    std::optional<uint32_t> s = take_slot(key);
    if (!s) throw Error(ErrorCode::kInternal, "expert store: a wave larger than the pool");
    slot_of[e] = *s;
    cache_.guard(*s, SlotGuard::kHard);
    copies.push_back({key, *s});
    stats.bytes_copied += bytes;
  }
  for (uint32_t e : experts) cache_.record_use({layer_, e});

  if (!copies.empty()) {
    const uint64_t value = submit_copies(copies);
    for (const Copy& c : copies) slot_states_[c.slot].ready = value;
  }
  ExpertWave out;
  uint64_t ready = 0;
  std::vector<uint32_t>& slots = wave_slots_[wave];
  for (uint32_t e : experts) {
    if (slot_of[e] == kernels::kAbsentSlot) continue;
    slots.push_back(slot_of[e]);
    ready = std::max(ready, slot_states_[slot_of[e]].ready);
  }
  if (ready > 0) {
    wait_for_copies(ready, stats);
    out.copies_done = vk::SemaphorePoint{transfer_timeline_->handle(), ready};
  }

  std::vector<uint32_t> table(config_.n_expert);
  for (uint32_t b = 0; b < banks_.size(); ++b) {
    bool any = false;
    for (uint32_t e = 0; e < config_.n_expert; ++e) {
      const bool here = slot_of[e] != kernels::kAbsentSlot && bank_of(slot_of[e]) == b;
      table[e] = here ? slot_of[e] - banks_[b].first_slot : kernels::kAbsentSlot;
      any = any || here;
    }
    if (any) out.sources.push_back({static_cast<int32_t>(b), tables_.add(table)});
  }
  // In-place reads bind the host copy a window at a time (it may exceed one binding).
  const uint32_t window = host_window_[layer_];
  for (uint32_t first = 0; first < config_.n_expert && !in_place.empty(); first += window) {
    const uint32_t count = std::min(window, config_.n_expert - first);
    std::fill(table.begin(), table.end(), kernels::kAbsentSlot);
    bool any = false;
    for (uint32_t e : in_place) {
      if (e >= first && e < first + count) {
        table[e] = e - first;
        any = true;
      }
    }
    if (any) out.sources.push_back({ExpertSource::kHostBank, tables_.add(table), first, count});
  }
  return out;
}

void ExpertStore::wave_submitted(uint32_t wave, const vk::SemaphorePoint& done) {
  for (uint32_t s : wave_slots_.at(wave)) slot_states_[s].last_read = done;
}

void ExpertStore::prefetch(uint32_t layer, std::span<const uint32_t> predicted) {
  if (!options_.prefetch || layer >= config_.n_layer || expert_bytes_[layer] == 0) return;
  cache_.clear_guards();
  for (size_t w = 0; w < wave_slots_.size(); ++w) {
    // The last wave's compute is not submitted yet: a copy could not wait for it.
    for (uint32_t s : wave_slots_[w]) cache_.guard(s, w + 1 == wave_slots_.size() ? SlotGuard::kHard : SlotGuard::kSoft);
  }
  std::vector<Copy> copies;
  for (uint32_t e : predicted) {
    if (copies.size() >= config_.n_expert_used) break;
    const ExpertKey key{layer, e};
    if (e >= config_.n_expert || cache_.find(key)) continue;
    std::optional<uint32_t> s = take_slot(key);
    if (!s) break;
    cache_.guard(*s, SlotGuard::kHard);
    slot_states_[*s].prefetched = true;
    copies.push_back({key, *s});
  }
  if (copies.empty()) return;
  const uint64_t value = submit_copies(copies);
  for (const Copy& c : copies) slot_states_[c.slot].ready = value;
  ExpertLayerStats& stats = stats_.layers[layer];
  stats.prefetches += copies.size();
  stats.bytes_copied += copies.size() * expert_bytes_[layer];
}

uint64_t ExpertStore::submit_copies(const std::vector<Copy>& copies) {
  const uint64_t completed = transfer_timeline_->value();
  auto batch = std::find_if(batches_.begin(), batches_.end(), [&](const TransferBatch& b) { return b.done <= completed; });
  if (batch == batches_.end()) {
    batches_.push_back({vk::CommandBuffer::create(ctx_.device(), copy_queue_->family), 0});
    batch = batches_.end() - 1;
  }
  vk::CommandBuffer& cmd = *batch->cmd;
  // Copies wait for the compute still reading the slots they overwrite, and for the previous
  // copy batch, so the transfer timeline's values complete in order.
  std::map<VkSemaphore, uint64_t> waits;
  if (transfer_value_ > 0) waits[transfer_timeline_->handle()] = transfer_value_;
  cmd.begin();
  for (const Copy& c : copies) {
    if (const auto& read = slot_states_[c.slot].last_read) waits[read->semaphore] = std::max(waits[read->semaphore], read->value);
    const Bank& bank = banks_[bank_of(c.slot)];
    for (uint32_t m = 0; m < kExpertMatrices; ++m) {
      const DeviceTensor& host = weights_.get(expert_tensor_name(c.key.layer, ExpertMatrix(m)));
      const uint64_t n = host.expert_bytes;
      cmd.copy(host.buffer.range(c.key.expert * n, n), bank.matrices[m].range((c.slot - bank.first_slot) * strides_[m], n));
    }
  }
  cmd.end();
  std::vector<vk::SemaphorePoint> wait_points;
  for (const auto& [semaphore, value] : waits) wait_points.push_back({semaphore, value});
  const vk::SemaphorePoint signal{transfer_timeline_->handle(), ++transfer_value_};
  vk::submit(*copy_queue_, cmd.handle(), wait_points, std::span(&signal, 1));
  batch->done = signal.value;
  return signal.value;
}

void ExpertStore::wait_for_copies(uint64_t value, ExpertLayerStats& stats) {
  if (transfer_timeline_->value() >= value) return;
  const auto start = std::chrono::steady_clock::now();
  transfer_timeline_->wait(value);
  stats.copy_wait_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

kernels::ExpertWeights ExpertStore::matrix(const ExpertSource& source, uint32_t layer, ExpertMatrix which) const {
  const DeviceTensor& t = weights_.get(expert_tensor_name(layer, which));
  if (source.bank == ExpertSource::kHostBank) return expert_window(t, source.first_expert, source.n_experts);
  const uint32_t m = static_cast<uint32_t>(which);
  return {banks_.at(source.bank).matrices[m].range(), t.type, static_cast<uint32_t>(t.ne[0]), static_cast<uint32_t>(t.ne[1]),
          static_cast<uint32_t>(t.ne[2]), static_cast<uint32_t>(strides_[m])};
}

}  // namespace vkmoe
