// The expert cache's slot choice against a plain model of its rule, over long random runs of
// uses, placements and guards: a free slot first (lowest index); else the unguarded-most slot,
// then LRU's least recent / LFU's fewest uses then least recent; kHard never.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <random>
#include <vector>

#include "engine/experts/expert_cache.h"

namespace vkmoe {

// A failing case names its policy, not its bytes; gtest finds this by ADL, so it lives in
// ExpertPolicy's namespace.
void PrintTo(ExpertPolicy policy, std::ostream* os) { *os << expert_policy_name(policy); }

}  // namespace vkmoe

namespace vkmoe::test {
namespace {

// Keeps everything in flat vectors and scans them; nothing clever to get wrong.
class ModelCache {
 public:
  ModelCache(uint32_t n_slots, ExpertPolicy policy) : policy_(policy), slots_(n_slots) {}

  std::optional<uint32_t> find(ExpertKey key) const {
    for (uint32_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].occupied && slots_[s].key == key) return s;
    }
    return std::nullopt;
  }
  void record_use(ExpertKey key) {
    ++now_;
    uses_for(key) += 1;
    if (auto s = find(key)) slots_[*s].last = now_;
  }
  std::optional<uint32_t> choose_slot() const {
    for (uint32_t s = 0; s < slots_.size(); ++s) {
      if (!slots_[s].occupied) return s;
    }
    for (SlotGuard level : {SlotGuard::kNone, SlotGuard::kSoft}) {
      std::optional<uint32_t> best;
      for (uint32_t s = 0; s < slots_.size(); ++s) {
        if (slots_[s].guard != level) continue;
        if (!best || worse(s, *best)) best = s;
      }
      if (best) return best;
    }
    return std::nullopt;
  }
  void place(ExpertKey key, uint32_t slot) {
    slots_[slot] = {true, key, ++now_, slots_[slot].guard};
  }
  void guard(uint32_t slot, SlotGuard g) { slots_[slot].guard = g; }
  void clear_guards() {
    for (auto& s : slots_) s.guard = SlotGuard::kNone;
  }

 private:
  struct Slot {
    bool occupied = false;
    ExpertKey key;
    uint64_t last = 0;
    SlotGuard guard = SlotGuard::kNone;
  };
  // Whether slot a should leave before slot b.
  bool worse(uint32_t a, uint32_t b) const {
    if (policy_ == ExpertPolicy::kLfu) {
      uint64_t ua = uses_of(slots_[a].key), ub = uses_of(slots_[b].key);
      if (ua != ub) return ua < ub;
    }
    return slots_[a].last < slots_[b].last;
  }
  uint64_t& uses_for(ExpertKey key) {
    for (auto& [k, n] : uses_) {
      if (k == key) return n;
    }
    uses_.push_back({key, 0});
    return uses_.back().second;
  }
  uint64_t uses_of(ExpertKey key) const {
    for (const auto& [k, n] : uses_) {
      if (k == key) return n;
    }
    return 0;
  }
  ExpertPolicy policy_;
  std::vector<Slot> slots_;
  std::vector<std::pair<ExpertKey, uint64_t>> uses_;
  uint64_t now_ = 0;
};

class ExpertCacheStress : public ::testing::TestWithParam<std::tuple<ExpertPolicy, uint32_t>> {};

TEST_P(ExpertCacheStress, AgreesWithPlainModel) {
  const auto [policy, n_slots] = GetParam();
  ExpertCache cache(n_slots, policy);
  ModelCache model(n_slots, policy);
  std::mt19937 rng(1234 + n_slots);
  // Skewed routing (a few hot experts per layer) so both hits and evictions are common.
  std::discrete_distribution<uint32_t> expert_dist({30, 20, 10, 8, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1});
  std::uniform_int_distribution<uint32_t> layer_dist(0, 3), op(0, 9), slot_dist(0, n_slots - 1);
  uint64_t evictions = 0, hits = 0;
  for (int step = 0; step < 20000; ++step) {
    const ExpertKey key{layer_dist(rng), expert_dist(rng)};
    const uint32_t o = op(rng);
    if (o == 0) {
      cache.clear_guards();
      model.clear_guards();
    } else if (o <= 2) {
      const uint32_t s = slot_dist(rng);
      const SlotGuard g = o == 1 ? SlotGuard::kSoft : SlotGuard::kHard;
      cache.guard(s, g);
      model.guard(s, g);
    } else {
      ASSERT_EQ(cache.find(key), model.find(key)) << "step " << step;
      if (!cache.find(key)) {
        const auto chosen = cache.choose_slot();
        ASSERT_EQ(chosen, model.choose_slot()) << "step " << step;
        if (chosen) {
          evictions += cache.occupant(*chosen).has_value();
          cache.place(key, *chosen);
          model.place(key, *chosen);
        }
      } else {
        ++hits;
      }
      cache.record_use(key);
      model.record_use(key);
    }
    // No expert in two slots, and the cache's reverse map agrees with its slots.
    for (uint32_t s = 0; s < n_slots; ++s) {
      if (auto k = cache.occupant(s)) {
        ASSERT_EQ(cache.find(*k), std::optional<uint32_t>(s));
      }
    }
  }
  EXPECT_GT(evictions, 1000u);  // the run exercised the eviction rule, not just free slots
  EXPECT_GT(hits, 100u);     // and hits, even with one slot
}

INSTANTIATE_TEST_SUITE_P(Policies, ExpertCacheStress,
                         ::testing::Combine(::testing::Values(ExpertPolicy::kLru, ExpertPolicy::kLfu),
                                            ::testing::Values(1u, 3u, 8u, 24u)),
                         [](const auto& info) {
                           return std::string(expert_policy_name(std::get<0>(info.param))) + "_" +
                                  std::to_string(std::get<1>(info.param)) + "_slots";
                         });

TEST(ExpertCache, HardGuardedSlotsAreNeverChosen) {
  ExpertCache cache(2, ExpertPolicy::kLru);
  cache.place({0, 0}, 0);
  cache.place({0, 1}, 1);
  cache.guard(0, SlotGuard::kHard);
  EXPECT_EQ(cache.choose_slot(), std::optional<uint32_t>(1));
  cache.guard(1, SlotGuard::kHard);
  EXPECT_EQ(cache.choose_slot(), std::nullopt);
}

TEST(ExpertCache, LfuKeepsTheMostUsedExpert) {
  ExpertCache cache(2, ExpertPolicy::kLfu);
  cache.place({0, 0}, 0);
  cache.place({0, 1}, 1);
  for (int i = 0; i < 3; ++i) cache.record_use({0, 0});
  cache.record_use({0, 1});  // most recent, but used less
  EXPECT_EQ(cache.choose_slot(), std::optional<uint32_t>(1));
}

TEST(ExpertCache, LruEvictsTheLeastRecent) {
  ExpertCache cache(2, ExpertPolicy::kLru);
  cache.place({0, 0}, 0);
  cache.place({0, 1}, 1);
  for (int i = 0; i < 3; ++i) cache.record_use({0, 1});
  cache.record_use({0, 0});
  EXPECT_EQ(cache.choose_slot(), std::optional<uint32_t>(1));
}

}  // namespace
}  // namespace vkmoe::test
