// Expert streaming must not change a single bit: for every golden model, logits of a chunked
// prefill and of decode steps with the experts streamed through all, about half, about a
// quarter and exactly top-k slots — under both eviction policies, with prefetch and zero-copy
// on and off, and with the pool split into banks — equal those of the fully resident run.
// The statistics must add up: every use is a hit or a miss, and the bytes copied are the
// copied misses and prefetches times the layer's expert size (read from the file's tensors).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/experts/expert_placement.h"
#include "engine/experts/expert_store.h"
#include "engine/model/model.h"
#include "engine/model/session.h"
#include "loader/base/error.h"
#include "loader/model/model_spec.h"
#include "tests/support/golden_reference.h"
#include "tests/gpu_support/gpu_test.h"

namespace vkmoe::test {
namespace {

// The 7-token prompt runs as chunks of 4 and 3 tokens, then 3 decode steps of its argmax.
std::vector<std::vector<float>> run_model(const Model& model) {
  SessionOptions o;
  o.max_ctx = 32;
  o.max_tokens = 4;
  o.kv_cache_type = kernels::KvCacheType::kF32;
  Session session(model, o);
  const uint32_t vocab = model.config().n_vocab;
  std::vector<uint32_t> prompt;
  for (uint32_t i = 0; i < 7; ++i) prompt.push_back((i * 37 + 11) % vocab);
  std::vector<std::vector<float>> out;
  out.push_back(session.eval(prompt, true));
  for (int step = 0; step < 3; ++step) {
    const std::vector<float>& last = out.back();
    const float* row = last.data() + last.size() - vocab;
    uint32_t next = static_cast<uint32_t>(std::max_element(row, row + vocab) - row);
    out.push_back(session.eval(std::span(&next, 1)));
  }
  return out;
}

bool bitwise_equal(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * 4) != 0) return false;
  }
  return true;
}

class StreamingIdentityTest : public GpuTest, public ::testing::WithParamInterface<GoldenCase> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    path_ = model_path(GetParam());
    auto resident = Model::load(ctx(), path_);
    ASSERT_FALSE(resident->placement().streaming);
    ASSERT_EQ(resident->experts(), nullptr);
    config_ = resident->config();
    spec_ = std::make_unique<ModelSpec>(load_model_spec(path_));
    want_ = run_model(*resident);
  }

  // Bytes of one expert of `layer` (gate + up + down), from the file's tensor table.
  uint64_t expert_bytes(uint32_t layer) const {
    uint64_t sum = 0;
    for (auto m : {ExpertMatrix::kGate, ExpertMatrix::kUp, ExpertMatrix::kDown}) {
      auto it = spec_->tensors.find(expert_tensor_name(layer, m));
      if (it != spec_->tensors.end()) sum += it->second.bytes / it->second.ne[2];
    }
    return sum;
  }

  // Returns the run's total statistics.
  ExpertLayerStats expect_identical_and_consistent(const ExpertOptions& experts, const std::string& label) {
    SCOPED_TRACE(label);
    ModelOptions options;
    options.experts = experts;
    auto model = Model::load(ctx(), path_, options);
    EXPECT_TRUE(model->placement().streaming);
    if (model->experts() == nullptr) {
      ADD_FAILURE() << "no expert store";
      return {};
    }
    EXPECT_TRUE(bitwise_equal(run_model(*model), want_)) << "streamed logits differ from the resident run";

    const ExpertStats& stats = model->experts()->stats();
    EXPECT_EQ(stats.layers.size(), config_.n_layer);
    for (uint32_t layer = 0; layer < config_.n_layer; ++layer) {
      const ExpertLayerStats& s = stats.layers[layer];
      const uint64_t eb = expert_bytes(layer);
      SCOPED_TRACE("layer " + std::to_string(layer));
      if (eb == 0) {
        EXPECT_EQ(s.uses, 0u);  // dense layer
        continue;
      }
      EXPECT_GT(s.uses, 0u);
      EXPECT_EQ(s.hits + s.misses, s.uses);
      EXPECT_LE(s.prefetch_hits, s.hits);
      EXPECT_LE(s.prefetch_hits, s.prefetches);
      EXPECT_LE(s.zero_copy_reads, s.misses);
      EXPECT_EQ(s.bytes_copied, (s.misses - s.zero_copy_reads + s.prefetches) * eb);
      EXPECT_EQ(s.bytes_zero_copy, s.zero_copy_reads * eb);
      if (!experts.prefetch) {
        EXPECT_EQ(s.prefetches, 0u);
      }
      if (!experts.zero_copy) {
        EXPECT_EQ(s.zero_copy_reads, 0u);
      }
    }
    return stats.total();
  }

  uint32_t moe_layers() const {
    uint32_t n = 0;
    for (uint32_t l = 0; l < config_.n_layer; ++l) n += expert_bytes(l) > 0;
    return n;
  }

  std::string path_;
  ModelConfig config_;
  std::unique_ptr<ModelSpec> spec_;
  std::vector<std::vector<float>> want_;
};

TEST_P(StreamingIdentityTest, EverySlotCountPolicyAndSettingMatchesResidentBitForBit) {
  const uint32_t all = moe_layers() * config_.n_expert, k = config_.n_expert_used;
  struct Setting {
    ExpertPolicy policy;
    bool prefetch, zero_copy;
  };
  // Every value of every setting meets every slot count.
  const Setting settings[] = {{ExpertPolicy::kLru, true, true},
                              {ExpertPolicy::kLfu, false, false},
                              {ExpertPolicy::kLru, false, true},
                              {ExpertPolicy::kLfu, true, false}};
  ExpertLayerStats sweep;
  for (uint32_t slots : {all, std::max(all / 2, k), std::max(all / 4, k), k}) {
    for (const Setting& s : settings) {
      ExpertOptions o;
      o.expert_slots = slots;
      o.policy = s.policy;
      o.prefetch = s.prefetch;
      o.zero_copy = s.zero_copy;
      sweep += expect_identical_and_consistent(o, std::to_string(slots) + " slots, " + expert_policy_name(s.policy) +
                                             ", prefetch " + (s.prefetch ? "on" : "off") + ", zero-copy " +
                                             (s.zero_copy ? "on" : "off"));
    }
  }
  // The sweep took every path: evictions, in-place reads and useful prefetches.
  EXPECT_GT(sweep.misses, sweep.uses / 10);
  EXPECT_GT(sweep.zero_copy_reads, 0u);
  EXPECT_GT(sweep.prefetch_hits, 0u);
}

// Pools over maxStorageBufferRange split into banks, each its own dispatch.
TEST_P(StreamingIdentityTest, PoolSplitIntoBanksMatchesResident) {
  ExpertOptions o;
  o.expert_slots = std::max(moe_layers() * config_.n_expert / 2, config_.n_expert_used);
  o.max_slots_per_bank = 2;
  expect_identical_and_consistent(o, "banks of 2 slots");
}

// One prefill chunk whose tokens need every expert of a layer, through only top-k slots:
// the layer runs in waves, each uploading its experts once for all their tokens.
TEST_P(StreamingIdentityTest, PrefillNeedingEveryExpertRunsThroughTopKSlots) {
  auto prefill = [&](const Model& model) {
    SessionOptions so;
    so.max_ctx = 32;
    so.max_tokens = 24;
    so.kv_cache_type = kernels::KvCacheType::kF32;
    Session session(model, so);
    std::vector<uint32_t> prompt;
    for (uint32_t i = 0; i < 24; ++i) prompt.push_back((i * 53 + 5) % model.config().n_vocab);
    return session.eval(prompt, true);
  };
  const std::vector<float> want = prefill(*Model::load(ctx(), path_));
  ModelOptions options;
  options.experts.expert_slots = config_.n_expert_used;
  auto model = Model::load(ctx(), path_, options);
  const std::vector<float> got = prefill(*model);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << "streamed logits differ from the resident run";
  uint64_t widest = 0;
  for (const ExpertLayerStats& s : model->experts()->stats().layers) widest = std::max(widest, s.uses);
  EXPECT_EQ(widest, config_.n_expert) << "no layer needed every expert: the case is not exercised";
}

TEST_P(StreamingIdentityTest, AllSlotsMissOnlyOnFirstUse) {
  ExpertOptions o;
  o.expert_slots = moe_layers() * config_.n_expert;
  o.prefetch = false;
  o.zero_copy = false;
  ModelOptions options;
  options.experts = o;
  auto model = Model::load(ctx(), path_, options);
  run_model(*model);
  // With a slot for every expert nothing is evicted: each expert misses at most once.
  for (const ExpertLayerStats& s : model->experts()->stats().layers) EXPECT_LE(s.misses, config_.n_expert);
  EXPECT_GT(model->experts()->stats().total().hits, 0u);
}

std::vector<GoldenCase> cases() {
  std::vector<GoldenCase> out;
  for (const char* arch : {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss"}) out.push_back({arch, "F16"});
  out.push_back({"mixtral", "Q4_K_M"});  // experts of different sizes per layer
  return out;
}

INSTANTIATE_TEST_SUITE_P(Goldens, StreamingIdentityTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(ExpertPlacement, BudgetBelowDensePartIsRefusedWithNumbers) {
  const ModelSpec spec = load_model_spec(model_path({"mixtral", "F16"}));
  ExpertOptions o;
  o.vram_budget.bytes = 1024;
  try {
    place_experts(spec, 1ull << 34, 0, o);
    FAIL() << "a 1 KiB budget was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kOutOfMemory);
    EXPECT_NE(std::string(e.what()).find("exceed the VRAM budget"), std::string::npos) << e.what();
  }
}

TEST(ExpertPlacement, BudgetDecidesTheSlotCount) {
  const ModelSpec spec = load_model_spec(model_path({"mixtral", "F16"}));
  const uint32_t k = spec.config.n_expert_used;
  ExpertOptions o;
  o.vram_budget.bytes = 1ull << 40;
  ExpertPlacement all = place_experts(spec, 0, 4096, o);
  EXPECT_FALSE(all.streaming);  // everything fits
  ASSERT_GT(all.slot_bytes, 0u);
  o.vram_budget.bytes = all.dense_bytes + 4096 + (k + 3) * all.slot_bytes + all.slot_bytes / 2;
  ExpertPlacement some = place_experts(spec, 0, 4096, o);
  EXPECT_TRUE(some.streaming);
  EXPECT_EQ(some.n_slots, k + 3);
  o.vram_budget.bytes = all.dense_bytes + 4096 + (k - 1) * all.slot_bytes;
  EXPECT_THROW(place_experts(spec, 0, 4096, o), Error);  // fewer slots than top-k
  o = {};
  o.vram_budget.fraction = 0.5;
  ExpertPlacement half = place_experts(spec, 2 * (all.dense_bytes + 4096 + (k + 1) * all.slot_bytes), 4096, o);
  EXPECT_EQ(half.budget_bytes, all.dense_bytes + 4096 + (k + 1) * all.slot_bytes);
  EXPECT_EQ(half.n_slots, k + 1);
}

TEST(ExpertPlacement, ExpertSlotsBelowTopKAreRefused) {
  const ModelSpec spec = load_model_spec(model_path({"mixtral", "F16"}));
  ExpertOptions o;
  o.expert_slots = spec.config.n_expert_used - 1;
  EXPECT_THROW(place_experts(spec, 0, 0, o), Error);
}

TEST(VramBudget, ParsesSizesAndFractions) {
  EXPECT_EQ(parse_vram_budget("512MiB").bytes, 512ull << 20);
  EXPECT_EQ(parse_vram_budget("6GiB").bytes, 6ull << 30);
  EXPECT_EQ(parse_vram_budget("1.5GB").bytes, 1500000000ull);
  EXPECT_EQ(parse_vram_budget("123456").bytes, 123456ull);
  EXPECT_DOUBLE_EQ(parse_vram_budget("0.5").fraction, 0.5);
  EXPECT_DOUBLE_EQ(parse_vram_budget("75%").fraction, 0.75);
  for (const char* bad : {"", "abc", "-1GiB", "12XB", "150%", "0", "nan"}) EXPECT_THROW(parse_vram_budget(bad), Error) << bad;
}

}  // namespace
}  // namespace vkmoe::test
