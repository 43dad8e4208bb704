#pragma once
// Which expert sits in which VRAM slot, and which one leaves when a new one needs room. Pure
// bookkeeping with no Vulkan in it, so the rule can be tested against a plain model of it.
//
// The rule for a slot to take a new expert: a free slot first (lowest index); otherwise the
// occupied slot with the lowest guard, then the policy's order — LRU: least recently used;
// LFU: fewest uses of its expert so far (counted across evictions), then least recently
// used. A slot guarded kHard is never taken.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine/experts/expert_options.h"

namespace vkmoe {

struct ExpertKey {
  uint32_t layer = 0;
  uint32_t expert = 0;
  bool operator==(const ExpertKey&) const = default;
};

enum class SlotGuard : uint8_t {
  kNone,
  kSoft,  // taken only when every unguarded slot is gone (needed again soon, or still being read)
  kHard,  // never taken (read by the work being planned)
};

class ExpertCache {
 public:
  ExpertCache(uint32_t n_slots, ExpertPolicy policy);

  uint32_t n_slots() const { return static_cast<uint32_t>(slots_.size()); }
  std::optional<uint32_t> find(ExpertKey key) const;
  std::optional<ExpertKey> occupant(uint32_t slot) const;
  // Counts a use of `key` (resident or not) and, when resident, makes its slot most recent.
  void record_use(ExpertKey key);
  uint64_t use_count(ExpertKey key) const;

  // The slot `key` would take, by the rule above; nullopt when every slot is guarded kHard.
  std::optional<uint32_t> choose_slot() const;
  bool has_free_slot() const;
  // Puts `key` (not resident) into `slot`, evicting its occupant.
  void place(ExpertKey key, uint32_t slot);

  void guard(uint32_t slot, SlotGuard guard);
  void clear_guards();

 private:
  struct Slot {
    std::optional<ExpertKey> key;
    uint64_t last_use = 0;
    SlotGuard guard = SlotGuard::kNone;
  };
  static uint64_t pack(ExpertKey key) { return uint64_t(key.layer) << 32 | key.expert; }

  ExpertPolicy policy_;
  std::vector<Slot> slots_;
  std::unordered_map<uint64_t, uint32_t> slot_of_;   // resident key → slot
  std::unordered_map<uint64_t, uint64_t> uses_;      // key → uses so far
  uint64_t clock_ = 0;
};

}  // namespace vkmoe
