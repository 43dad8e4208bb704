// `vkmoe run --stats` and the expert-placement flags of run, chat and logits: the statistics
// table's rows add up to its total line, a resident model says there is nothing to stream, and
// bad flag values fail with a message naming the flag and the value.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/cli_run.h"
#include "tests/bench/golden_figures.h"

namespace vkmoe::test {
namespace {

std::string run_args(const std::string& rest) {
  return "run --model " + golden_model_arg() + " --prompt 'hello world' -n 4 " + rest;
}

struct StatsRow {
  std::string label;
  std::vector<double> values;  // uses, hits, misses, prefetch hits, zero-copy, prefetched, copied MiB, in-place MiB, wait ms
};

// The rows of the table between the two-line header and the total line, and the total line.
std::vector<StatsRow> stats_rows(const std::string& err) {
  std::vector<StatsRow> rows;
  std::stringstream lines(err);
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("layer")) {
      in_table = true;
      continue;
    }
    if (!in_table || line.empty() || line[0] == ' ') continue;
    std::stringstream cells(line);
    StatsRow row;
    cells >> row.label;
    for (double v; cells >> v;) row.values.push_back(v);
    if (row.values.size() != 9) break;
    rows.push_back(row);
    if (row.label == "total") break;
  }
  return rows;
}

TEST(RunStats, StreamingPrintsAPerLayerTableThatAddsUp) {
  ExpectedModel e = expected_model();
  CliRun r = run_vkmoe(run_args("--expert-slots 6 --stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("expert cache statistics"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("streaming through 6 of 32 slots"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hit rate"), std::string::npos) << r.err;
  for (const char* title : {"uses", "hits", "misses", "prefetch", "zero-copy", "copied MiB", "wait ms"}) {
    EXPECT_NE(r.err.find(title), std::string::npos) << title;
  }

  auto rows = stats_rows(r.err);
  ASSERT_EQ(rows.size(), e.n_layer + 1) << r.err;
  const StatsRow& total = rows.back();
  ASSERT_EQ(total.label, "total");
  std::vector<double> sum(9, 0.0);
  for (uint32_t layer = 0; layer < e.n_layer; ++layer) {
    const StatsRow& row = rows[layer];
    EXPECT_EQ(row.label, std::to_string(layer));
    EXPECT_EQ(row.values[1] + row.values[2], row.values[0]) << "hits + misses = uses in layer " << layer;
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += row.values[i];
  }
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(sum[i], total.values[i]) << "column " << i;
  EXPECT_NEAR(sum[6], total.values[6], 0.02);
  // The prompt step alone needs at least top-k experts in every layer.
  EXPECT_GE(total.values[0], double(e.n_layer * e.n_expert_used));
  // copied = (misses read by copy + prefetches) × expert size, in MiB with two decimals.
  const double copied = (total.values[2] - total.values[4] + total.values[5]) * double(e.expert_bytes) / double(1 << 20);
  EXPECT_NEAR(total.values[6], copied, 0.006);
}

TEST(RunStats, ResidentModelSaysThereIsNothingToStream) {
  CliRun r = run_vkmoe(run_args("--stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("every expert is resident"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing to stream"), std::string::npos) << r.err;
}

TEST(RunStats, WithoutTheFlagNoStatisticsArePrinted) {
  CliRun r = run_vkmoe(run_args("--expert-slots 6 --expert-policy lfu --prefetch off --zero-copy off"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("expert cache statistics"), std::string::npos) << r.err;
}

struct BadFlag {
  std::string name;
  std::string args;     // after "vkmoe", GOLDEN standing for the model path
  std::string message;  // a piece of the expected error
};

void PrintTo(const BadFlag& b, std::ostream* os) { *os << b.name << ": vkmoe " << b.args; }

class ExpertFlagsReject : public ::testing::TestWithParam<BadFlag> {};

TEST_P(ExpertFlagsReject, WithAClearMessageAndNonZeroExit) {
  std::string args = GetParam().args;
  if (auto at = args.find("GOLDEN"); at != std::string::npos) args.replace(at, 6, golden_model_arg());
  CliRun r = run_vkmoe(args);
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << "stderr: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, ExpertFlagsReject,
    ::testing::Values(
        BadFlag{"RunBudgetNotASize", "run --model GOLDEN --prompt hi --vram-budget big", "--vram-budget: VRAM budget 'big'"},
        BadFlag{"RunBudgetUnknownUnit", "run --model GOLDEN --prompt hi --vram-budget 3PB", "unknown unit 'PB'"},
        BadFlag{"RunPolicy", "run --model GOLDEN --prompt hi --expert-policy mru", "expert policy 'mru': expected lru or lfu"},
        BadFlag{"RunPrefetch", "run --model GOLDEN --prompt hi --prefetch maybe", "--prefetch expects on or off, got 'maybe'"},
        BadFlag{"RunSlotsBelowTopK", "run --model GOLDEN --prompt hi --expert-slots 2", "needs at least 4"},
        BadFlag{"ChatZeroSlots", "chat --model GOLDEN --expert-slots 0", "--expert-slots must be at least 1"},
        BadFlag{"ChatBudgetAndSlots", "chat --model GOLDEN --vram-budget 50% --expert-slots 8", "give one"},
        BadFlag{"LogitsZeroCopy", "logits --model GOLDEN --tokens 1,2 --out x.npy --zero-copy yes",
                "--zero-copy expects on or off, got 'yes'"},
        BadFlag{"LogitsBudgetTooSmall", "logits --model GOLDEN --tokens 1,2 --out x.npy --vram-budget 64KiB",
                "alone exceed the VRAM budget"}),
    [](const auto& info) { return info.param.name; });

TEST(ExpertFlagsHelp, RunChatAndLogitsDocumentThem) {
  for (const char* command : {"run", "chat", "logits"}) {
    CliRun r = run_vkmoe(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    for (const char* flag : {"--vram-budget", "--expert-slots", "--expert-policy", "--prefetch", "--zero-copy"}) {
      EXPECT_NE(r.out.find(flag), std::string::npos) << command << " --help lacks " << flag << ":\n" << r.out;
    }
  }
  EXPECT_NE(run_vkmoe("run --help").out.find("--stats"), std::string::npos);
}

}  // namespace
}  // namespace vkmoe::test
