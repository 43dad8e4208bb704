// vkmoe-bench with the golden's experts streaming through 6 slots (of 2 layers × 16, top-4):
// the expert-cache counts in its json must add up, with the expert size taken from
// MANIFEST.json, and --compare-resident must carry ratios that follow from the row's own
// figures as README.md defines them.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/bench/cli_run.h"
#include "tests/bench/json_run_suite.h"
#include "tests/bench/golden_figures.h"

namespace vkmoe::test {
namespace {

constexpr uint32_t kSlots = 6;
constexpr uint32_t kPrompt = 8;
constexpr uint32_t kGen = 4;

class BenchStreaming : public JsonRunSuite<BenchStreaming> {
 public:
  static std::string args() {
    return model_args("-p " + std::to_string(kPrompt) + " -n " + std::to_string(kGen) + " -r 1 --warmup 1 --expert-slots " +
                      std::to_string(kSlots) + " --compare-resident -o json");
  }
};

uint64_t u64(const nlohmann::json& row, const char* key) { return row.at(key).get<uint64_t>(); }

TEST_F(BenchStreaming, BudgetColumnNamesTheSlots) {
  ExpectedModel e = expected_model();
  const std::string expected = std::to_string(kSlots) + "/" + std::to_string(e.n_layer * e.n_expert) + " slots";
  for (const auto& row : rows()) {
    EXPECT_EQ(row.at("budget"), expected);
    EXPECT_EQ(u64(row, "expert_slots"), kSlots);
    EXPECT_EQ(u64(row, "total_experts"), e.n_layer * e.n_expert);
  }
  EXPECT_NE(run().err.find("streaming through 6 of 32 slots"), std::string::npos) << run().err;
}

TEST_F(BenchStreaming, ExpertCountsAddUp) {
  ExpectedModel e = expected_model();
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    const uint64_t uses = u64(row, "expert_uses"), hits = u64(row, "expert_hits"), misses = u64(row, "expert_misses");
    const uint64_t zero_copy = u64(row, "expert_zero_copy_reads"), prefetches = u64(row, "expert_prefetches");
    EXPECT_GT(uses, 0u);
    EXPECT_EQ(hits + misses, uses);
    EXPECT_LE(u64(row, "expert_prefetch_hits"), hits);
    EXPECT_LE(zero_copy, misses);
    EXPECT_EQ(u64(row, "expert_bytes_copied"), (misses - zero_copy + prefetches) * e.expert_bytes);
    EXPECT_EQ(u64(row, "expert_bytes_zero_copy"), zero_copy * e.expert_bytes);
    EXPECT_EQ(u64(row, "expert_bytes_streamed"), u64(row, "expert_bytes_copied") + u64(row, "expert_bytes_zero_copy"));
    EXPECT_GT(u64(row, "expert_bytes_streamed"), 0u) << "6 slots cannot hold 32 experts";
    EXPECT_DOUBLE_EQ(row.at("expert_hit_rate").get<double>(), double(hits) / double(uses));
    EXPECT_DOUBLE_EQ(row.at("expert_bytes_per_token").get<double>(),
                     double(u64(row, "expert_bytes_streamed")) / double(u64(row, "expert_tokens")));
    EXPECT_GE(row.at("expert_copy_wait_ms").get<double>(), 0.0);
  }
}

// Each layer routes every token to exactly top-k distinct experts, so a one-token step uses
// n_layer × top-k experts and a prompt step between that and n_layer × n_expert.
TEST_F(BenchStreaming, UsesFollowTheRouting) {
  ExpectedModel e = expected_model();
  auto j = rows();
  const auto& pp = j[0];
  const auto& tg = j[1];
  ASSERT_EQ(pp.at("test"), "pp8");
  ASSERT_EQ(tg.at("test"), "tg4");
  EXPECT_EQ(u64(pp, "expert_tokens"), kPrompt);
  EXPECT_GE(u64(pp, "expert_uses"), uint64_t(e.n_layer) * e.n_expert_used);
  EXPECT_LE(u64(pp, "expert_uses"), uint64_t(e.n_layer) * std::min(e.n_expert, kPrompt * e.n_expert_used));
  EXPECT_EQ(u64(tg, "expert_tokens"), kGen + 1) << "tg4 evaluates a one-token prompt, then 4 tokens";
  EXPECT_EQ(u64(tg, "expert_uses"), uint64_t(kGen + 1) * e.n_layer * e.n_expert_used);
}

TEST_F(BenchStreaming, VramIsDenseWeightsPoolAndReserve) {
  ExpectedModel e = expected_model();
  for (const auto& row : rows()) {
    const uint64_t weights = u64(row, "vram_weights_bytes"), pool = u64(row, "vram_expert_pool_bytes");
    EXPECT_GE(weights, e.bytes - e.expert_tensor_bytes) << "the dense weights stay in VRAM";
    EXPECT_LT(weights, e.bytes) << "the experts live in host memory";
    EXPECT_GE(pool, kSlots * e.expert_bytes);
    EXPECT_LT(pool, e.expert_tensor_bytes);
    EXPECT_EQ(u64(row, "vram_bytes"), weights + pool + u64(row, "vram_reserve_bytes"));
  }
}

TEST_F(BenchStreaming, ResidentComparisonFollowsItsDefinition) {
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    const double ts = row.at("avg_ts").get<double>();
    const double resident = row.at("resident_ts").get<double>();
    EXPECT_GT(resident, 0);
    EXPECT_NEAR(row.at("speed_vs_resident").get<double>(), ts / resident, 1e-9 * ts / resident);
    if (row.at("n_gen").get<uint32_t>() == 0) {
      EXPECT_TRUE(row.at("model_ts").is_null());
      EXPECT_TRUE(row.at("time_vs_model").is_null());
      continue;
    }
    const double upload = row.at("upload_bandwidth_gbs").get<double>() * 1e9;
    const double model_seconds = 1 / resident + row.at("expert_bytes_per_token").get<double>() / upload;
    EXPECT_NEAR(row.at("model_ts").get<double>(), 1 / model_seconds, 1e-9 / model_seconds);
    const double ratio = (1 / ts) / model_seconds;
    EXPECT_NEAR(row.at("time_vs_model").get<double>(), ratio, 1e-9 * ratio);
  }
}

TEST(BenchStreamingMarkdown, PrintsTheComparisonTableOrSaysHowToGetIt) {
  CliRun with = run_bench(model_args("-p 0 -n 2 -r 1 --warmup 0 --expert-slots 6 --compare-resident"));
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_NE(with.out.find("| 6/32 slots"), std::string::npos) << with.out;
  EXPECT_NE(with.out.find("time vs model"), std::string::npos) << with.out;
  EXPECT_NE(with.out.find("host-to-device bandwidth"), std::string::npos) << with.out;

  CliRun without = run_bench(model_args("-p 0 -n 2 -r 1 --warmup 0 --expert-slots 6"));
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.out.find("time vs model"), std::string::npos) << without.out;
  EXPECT_NE(without.out.find("--compare-resident adds the ratios"), std::string::npos) << without.out;
}

TEST(BenchStreamingBudget, AVramBudgetAboveTheModelKeepsEveryExpertResident) {
  CliRun r = run_bench(model_args("-p 0 -n 2 -r 1 --warmup 0 --vram-budget 1TiB -o json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0].at("budget"), "full");
  EXPECT_EQ(j[0].at("expert_uses"), 0);
}

}  // namespace
}  // namespace vkmoe::test
