#include "engine/experts/expert_cache.h"

#include <tuple>

#include "loader/base/error.h"

namespace vkmoe {

ExpertCache::ExpertCache(uint32_t n_slots, ExpertPolicy policy) : policy_(policy), slots_(n_slots) {
  if (n_slots == 0) throw Error(ErrorCode::kInvalidArgument, "expert cache: no slots");
}

std::optional<uint32_t> ExpertCache::find(ExpertKey key) const {
  auto it = slot_of_.find(pack(key));
  if (it == slot_of_.end()) return std::nullopt;
  return it->second;
}

std::optional<ExpertKey> ExpertCache::occupant(uint32_t slot) const { return slots_.at(slot).key; }

void ExpertCache::record_use(ExpertKey key) {
  ++uses_[pack(key)];
  ++clock_;
  if (auto slot = find(key)) slots_[*slot].last_use = clock_;
}

uint64_t ExpertCache::use_count(ExpertKey key) const {
  auto it = uses_.find(pack(key));
  return it == uses_.end() ? 0 : it->second;
}

bool ExpertCache::has_free_slot() const { return slot_of_.size() < slots_.size(); }

std::optional<uint32_t> ExpertCache::choose_slot() const {
  std::optional<uint32_t> best;
  std::tuple<uint8_t, uint64_t, uint64_t> best_rank{};
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    const Slot& slot = slots_[s];
    if (!slot.key) return s;
    if (slot.guard == SlotGuard::kHard) continue;
    uint64_t uses = policy_ == ExpertPolicy::kLfu ? use_count(*slot.key) : 0;
    std::tuple<uint8_t, uint64_t, uint64_t> rank{static_cast<uint8_t>(slot.guard), uses, slot.last_use};
    if (!best || rank < best_rank) {
      best = s;
      best_rank = rank;
    }
  }
  return best;
}

void ExpertCache::place(ExpertKey key, uint32_t slot) {
  Slot& s = slots_.at(slot);
  if (find(key)) throw Error(ErrorCode::kInternal, "expert cache: expert is already resident");
  if (s.key) slot_of_.erase(pack(*s.key));
  s.key = key;
  s.last_use = ++clock_;
  slot_of_[pack(key)] = slot;
}

void ExpertCache::guard(uint32_t slot, SlotGuard guard) { slots_.at(slot).guard = guard; }

void ExpertCache::clear_guards() {
  for (Slot& s : slots_) s.guard = SlotGuard::kNone;
}

}  // namespace vkmoe
