// vkmoe-bench end to end: runs the built binary on a golden GGUF with tiny sizes and checks its
// json, md and csv output with every expert resident. Expected model figures (parameters,
// bytes, weight type) come from the goldens' MANIFEST.json tensor table and the Hugging Face
// config (golden_figures.h), not from vkmoe's loader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/cli_run.h"
#include "tests/bench/json_run_suite.h"
#include "tests/bench/golden_figures.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

const char* kTinyRun = "-p 16 -n 8 -r 2 --warmup 1";

double mean_of(const std::vector<double>& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s / xs.size();
}

double sample_std_of(const std::vector<double>& xs) {
  double m = mean_of(xs), s = 0;
  for (double x : xs) s += (x - m) * (x - m);
  return std::sqrt(s / (xs.size() - 1));
}

class BenchJson : public JsonRunSuite<BenchJson> {
 public:
  static std::string args() { return model_args(std::string(kTinyRun) + " -o json"); }
};

TEST_F(BenchJson, IsAnArrayWithOnePpAndOneTgRow) {
  auto j = rows();
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0].at("test"), "pp16");
  EXPECT_EQ(j[0].at("n_prompt"), 16);
  EXPECT_EQ(j[0].at("n_gen"), 0);
  EXPECT_EQ(j[1].at("test"), "tg8");
  EXPECT_EQ(j[1].at("n_prompt"), 0);
  EXPECT_EQ(j[1].at("n_gen"), 8);
}

TEST_F(BenchJson, SpeedsArePositiveAndTheirStatisticsAddUp) {
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    auto samples = row.at("samples_ts").get<std::vector<double>>();
    ASSERT_EQ(samples.size(), 2u);
    EXPECT_EQ(row.at("repetitions"), 2);
    for (double s : samples) {
      EXPECT_TRUE(std::isfinite(s));
      EXPECT_GT(s, 0);
    }
    double avg = row.at("avg_ts").get<double>();
    double std = row.at("stddev_ts").get<double>();
    EXPECT_TRUE(std::isfinite(avg));
    EXPECT_GT(avg, 0);
    EXPECT_GE(std, 0);
    EXPECT_NEAR(avg, mean_of(samples), 1e-9 * avg);
    EXPECT_NEAR(std, sample_std_of(samples), 1e-9 * avg);
  }
}

TEST_F(BenchJson, ModelFiguresMatchTheManifest) {
  ExpectedModel e = expected_model();
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    EXPECT_EQ(row.at("model"), "qwen3_moe-F16.gguf");
    EXPECT_EQ(row.at("arch"), "qwen3moe");
    EXPECT_EQ(row.at("params_total").get<uint64_t>(), e.params_total);
    EXPECT_EQ(row.at("params_active").get<uint64_t>(), e.params_active);
    EXPECT_LE(row.at("params_active").get<uint64_t>(), row.at("params_total").get<uint64_t>());
    EXPECT_EQ(row.at("size_bytes").get<uint64_t>(), e.bytes);
    EXPECT_NEAR(row.at("size_gib").get<double>(), e.bytes / 1073741824.0, 1e-12);
    EXPECT_EQ(row.at("weight_type"), e.weight_type);
    EXPECT_NEAR(row.at("active_bytes_per_token").get<double>(), e.active_bytes_per_token, 1e-6);
  }
}

TEST_F(BenchJson, AllExpertsResidentAndWeightsInVram) {
  ExpectedModel e = expected_model();
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    EXPECT_EQ(row.at("budget"), "full");
    EXPECT_EQ(row.at("expert_slots"), 0);
    EXPECT_EQ(row.at("total_experts").get<uint32_t>(), e.n_layer * e.n_expert);
    EXPECT_EQ(row.at("expert_hit_rate").get<double>(), 1.0);
    EXPECT_EQ(row.at("expert_uses").get<uint64_t>(), 0u);
    EXPECT_EQ(row.at("expert_bytes_streamed").get<uint64_t>(), 0u);
    EXPECT_EQ(row.at("expert_bytes_per_token").get<double>(), 0.0);
    EXPECT_EQ(row.at("vram_expert_pool_bytes").get<uint64_t>(), 0u);
    EXPECT_GE(row.at("vram_weights_bytes").get<uint64_t>(), e.bytes);
    EXPECT_GT(row.at("vram_reserve_bytes").get<uint64_t>(), 0u);
    EXPECT_EQ(row.at("vram_bytes").get<uint64_t>(),
              row.at("vram_weights_bytes").get<uint64_t>() + row.at("vram_reserve_bytes").get<uint64_t>());
    EXPECT_GE(row.at("vram_allocated_bytes").get<uint64_t>(), e.bytes);
    EXPECT_TRUE(row.at("resident_ts").is_null()) << "no comparison was asked for";
    EXPECT_TRUE(row.at("time_vs_model").is_null());
    EXPECT_FALSE(row.at("device").get<std::string>().empty());
  }
}

TEST_F(BenchJson, HostToDeviceBandwidthIsMeasured) {
  for (const auto& row : rows()) {
    double upload = row.at("upload_bandwidth_gbs").get<double>();
    EXPECT_TRUE(std::isfinite(upload));
    EXPECT_GT(upload, 0);
    EXPECT_GE(row.at("upload_bandwidth_buffer_bytes").get<uint64_t>(), uint64_t(1) << 20);
  }
}

TEST_F(BenchJson, TgRowsCarryTheBandwidthBound) {
  ExpectedModel e = expected_model();
  auto j = rows();
  ASSERT_EQ(j.size(), 2u);
  const auto& pp = j[0];
  const auto& tg = j[1];
  EXPECT_TRUE(pp.at("bound_ts").is_null());
  EXPECT_TRUE(pp.at("bound_fraction").is_null());

  double bandwidth = tg.at("copy_bandwidth_gbs").get<double>() * 1e9;
  EXPECT_TRUE(std::isfinite(bandwidth));
  EXPECT_GT(bandwidth, 0);
  EXPECT_EQ(tg.at("copy_bandwidth_timer"), "GPU timestamps");
  EXPECT_GE(tg.at("copy_bandwidth_buffer_bytes").get<uint64_t>(), uint64_t(1) << 20);
  double bound = tg.at("bound_ts").get<double>();
  EXPECT_NEAR(bound, bandwidth / e.active_bytes_per_token, 1e-9 * bound);
  double fraction = tg.at("bound_fraction").get<double>();
  EXPECT_GT(fraction, 0);
  EXPECT_NEAR(fraction, tg.at("avg_ts").get<double>() / bound, 1e-9 * fraction);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  return lines;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(' ');
  size_t b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// Cells of the markdown table rows ("| a | b |"), header first, the --- rule left out.
std::vector<std::vector<std::string>> markdown_table(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines_of(text)) {
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    size_t start = 1;
    for (size_t bar = line.find('|', start); bar != std::string::npos; bar = line.find('|', start)) {
      cells.push_back(trim(line.substr(start, bar - start)));
      start = bar + 1;
    }
    if (cells.size() > 1 && cells[1].find("---") != std::string::npos) continue;
    rows.push_back(cells);
  }
  return rows;
}

// RFC 4180 records: quoted fields may hold commas and doubled quotes.
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  for (const auto& line : lines_of(text)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    records.push_back(fields);
  }
  return records;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column '" << name << "'";
  return 0;
}

TEST(BenchSampling, SampledDecodeRowsSaySo) {
  // Sampled tg steps read back candidates and draw; the row's test names it, the prompt's not.
  CliRun r = run_bench(model_args("-p 8 -n 6 -r 1 --warmup 0 --temp 0.8 --top-k 5 --repeat-penalty 1.1 -o json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["test"], "pp8");
  EXPECT_EQ(rows[1]["test"], "tg6 sampled");
  EXPECT_GT(rows[1]["avg_ts"].get<double>(), 0.0);
}

TEST(BenchFormats, MarkdownAndCsvHaveTheJsonRows) {
  CliRun md = run_bench(model_args("-p 16 -n 8 -r 1 --warmup 0 -o md"));
  CliRun csv = run_bench(model_args("-p 16 -n 8 -r 1 --warmup 0 -o csv"));
  ASSERT_EQ(md.exit_code, 0) << md.err;
  ASSERT_EQ(csv.exit_code, 0) << csv.err;

  auto table = markdown_table(md.out);
  ASSERT_EQ(table.size(), 3u) << md.out;
  size_t md_test = column(table[0], "test");
  size_t md_model = column(table[0], "model");
  size_t md_bound = column(table[0], "of bound");
  EXPECT_EQ(table[1][md_test], "pp16");
  EXPECT_EQ(table[2][md_test], "tg8");
  EXPECT_EQ(table[1][md_model], "qwen3_moe-F16.gguf");
  EXPECT_EQ(table[1][md_bound], "-");
  EXPECT_NE(table[2][md_bound], "-");
  for (const auto& row : table) EXPECT_EQ(row.size(), table[0].size());
  EXPECT_NE(md.out.find("wall clock"), std::string::npos) << "the table must say how t/s was timed";
  EXPECT_NE(md.out.find("GPU timestamps"), std::string::npos) << md.out;

  auto records = csv_records(csv.out);
  ASSERT_EQ(records.size(), 3u) << csv.out;
  for (const auto& r : records) EXPECT_EQ(r.size(), records[0].size());
  EXPECT_EQ(records[1][column(records[0], "test")], "pp16");
  EXPECT_EQ(records[2][column(records[0], "test")], "tg8");
  EXPECT_EQ(records[1][column(records[0], "model")], "qwen3_moe-F16.gguf");
  EXPECT_EQ(records[1][column(records[0], "bound_fraction")], "");
  EXPECT_GT(std::stod(records[2][column(records[0], "bound_fraction")]), 0);
  EXPECT_EQ(records[1][column(records[0], "device")], table[1][column(table[0], "device")]);
  EXPECT_GT(std::stod(records[1][column(records[0], "avg_ts")]), 0);
}

// --matmul in each GEMV layout, whatever the device: one row per type x shape, with the bytes
// a dispatch moves counted from the formats' block sizes (Q4_K: 144 bytes per 256 weights).
class BenchMatmul : public ::testing::TestWithParam<std::string> {};

TEST_P(BenchMatmul, TimesEachTypeAndShape) {
  CliRun r = run_bench("--matmul Q4_K,F16 --matmul-shapes 64x256,4e2:48x256 -r 2 -o json --gemv-layout " + GetParam());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  // Dense: 64 rows of W, x (256 floats), y (64). Experts: one token routed to 2 experts of
  // 48 rows, so 2 matrices, and x and y per routed row.
  const struct {
    const char* type;
    const char* shape;
    uint64_t bytes;
  } want[] = {{"Q4_K", "64x256", 64 * 144 + 256 * 4 + 64 * 4},
              {"Q4_K", "4e2:48x256", 2 * 48 * 144 + 2 * (256 + 48) * 4},
              {"F16", "64x256", 64 * 512 + 256 * 4 + 64 * 4},
              {"F16", "4e2:48x256", 2 * 48 * 512 + 2 * (256 + 48) * 4}};
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(want[i].shape);
    EXPECT_EQ(rows[i].at("type"), want[i].type);
    EXPECT_EQ(rows[i].at("shape"), want[i].shape);
    EXPECT_EQ(rows[i].at("tokens"), 1);
    EXPECT_EQ(rows[i].at("bytes").get<uint64_t>(), want[i].bytes);
    EXPECT_GT(rows[i].at("median_us").get<double>(), 0);
    EXPECT_GT(rows[i].at("fraction_of_copy_bandwidth").get<double>(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, BenchMatmul, ::testing::Values("gpu", "cpu"), [](const auto& info) { return info.param; });

struct BadInvocation {
  std::string name;
  std::string args;
  std::string message;  // a piece of the expected error
};

void PrintTo(const BadInvocation& b, std::ostream* os) { *os << b.name << ": vkmoe-bench " << b.args; }

class BenchRejects : public ::testing::TestWithParam<BadInvocation> {};

TEST_P(BenchRejects, WithAnErrorAndNonZeroExit) {
  std::string args = GetParam().args;
  for (size_t at = args.find("GOLDEN"); at != std::string::npos; at = args.find("GOLDEN")) {
    args.replace(at, 6, golden_model_arg());
  }
  std::string truncated;  // half of the golden model, removed after the run
  if (args.find("TRUNCATED") != std::string::npos) {
    truncated = ::testing::TempDir() + "vkmoe_bench_truncated_" + std::to_string(::getpid()) + ".gguf";
    std::string bytes = read_text(golden_path(kGoldenModel));
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    args.replace(args.find("TRUNCATED"), 9, shell_quote(truncated));
  }
  CliRun r = run_bench(args);
  if (!truncated.empty()) std::remove(truncated.c_str());
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << "stderr: " << r.err;
  EXPECT_TRUE(r.out.empty()) << "nothing goes to stdout on an error: " << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, BenchRejects,
    ::testing::Values(BadInvocation{"NoArguments", "", "usage: vkmoe-bench"},
                      BadInvocation{"NoModel", "-p 16", "-m FILE"},
                      BadInvocation{"UnknownFlag", "-m GOLDEN --no-such-flag 1", "unknown option --no-such-flag"},
                      BadInvocation{"PromptNotANumber", "-m GOLDEN -p abc", "-p expects an integer"},
                      BadInvocation{"NegativeGen", "-m GOLDEN -n -4", "-n expects an integer"},
                      BadInvocation{"ZeroRepetitions", "-m GOLDEN -r 0", "-r must be at least 1"},
                      BadInvocation{"NothingToRun", "-m GOLDEN -p 0 -n 0", "nothing to measure"},
                      BadInvocation{"UnknownFormat", "-m GOLDEN -o xml", "-o expects md, json or csv, got 'xml'"},
                      BadInvocation{"FlagWithoutValue", "-m GOLDEN -r", "needs a value"},
                      BadInvocation{"MissingFile", "-m /nonexistent/model.gguf -p 4 -n 0 -r 1", "/nonexistent/model.gguf"},
                      BadInvocation{"TruncatedFile", "-m TRUNCATED -p 4 -n 0 -r 1", "vkmoe_bench_truncated_"},
                      BadInvocation{"BudgetWithoutNumber", "-m GOLDEN --vram-budget lots", "--vram-budget: VRAM budget 'lots'"},
                      BadInvocation{"BudgetUnknownUnit", "-m GOLDEN --vram-budget 12XB", "unknown unit 'XB'"},
                      BadInvocation{"BudgetOverAHundredPercent", "-m GOLDEN --vram-budget 150%", "more than 100%"},
                      BadInvocation{"BudgetAndSlots", "-m GOLDEN --vram-budget 1GiB --expert-slots 8", "give one"},
                      BadInvocation{"ZeroSlots", "-m GOLDEN --expert-slots 0", "--expert-slots must be at least 1"},
                      BadInvocation{"SlotsNotANumber", "-m GOLDEN --expert-slots many", "--expert-slots expects an integer"},
                      BadInvocation{"SlotsBelowTopK", "-m GOLDEN -p 4 -n 0 -r 1 --expert-slots 3", "needs at least 4"},
                      BadInvocation{"UnknownPolicy", "-m GOLDEN --expert-policy fifo", "expert policy 'fifo': expected lru or lfu"},
                      BadInvocation{"PrefetchNotOnOff", "-m GOLDEN --prefetch yes", "--prefetch expects on or off, got 'yes'"},
                      BadInvocation{"ZeroCopyNotOnOff", "-m GOLDEN --zero-copy 1", "--zero-copy expects on or off, got '1'"},
                      BadInvocation{"SweepOnePoint", "-m GOLDEN --sweep-budget 1", "at least 2 points"},
                      BadInvocation{"SweepWithPrompt", "-m GOLDEN --sweep-budget 4 -p 8", "drop -p"},
                      BadInvocation{"SweepWithSlots", "-m GOLDEN --sweep-budget 4 --expert-slots 8", "chooses the expert slots"},
                      BadInvocation{"SweepWithFormat", "-m GOLDEN --sweep-budget 4 -o json", "writes CSV"},
                      BadInvocation{"PlotWithoutSweep", "-m GOLDEN --plot chart.svg", "--plot needs --sweep-budget"},
                      BadInvocation{"NegativeTemperature", "-m GOLDEN --temp -1", "temperature must be >= 0"},
                      BadInvocation{"TopPAboveOne", "-m GOLDEN --temp 1 --top-p 2", "top-p must be in (0, 1]"},
                      BadInvocation{"ProfileAsCsv", "-m GOLDEN --profile -o csv", "--profile prints md or json"},
                      BadInvocation{"ProfileInASweep", "-m GOLDEN --sweep-budget 4 --profile", "--profile does not apply to --sweep-budget"},
                      BadInvocation{"MatmulUnknownType", "--matmul Q9_Z", "--matmul: no matmul kernel decodes 'Q9_Z'"},
                      BadInvocation{"MatmulBadShape", "--matmul Q4_K --matmul-shapes 64by256", "expected NxK, got '64by256'"},
                      BadInvocation{"MatmulWithModel", "-m GOLDEN --matmul Q4_K", "drop -m"},
                      BadInvocation{"GemvLayoutUnknown", "--matmul Q4_K --gemv-layout tpu", "--gemv-layout expects gpu or cpu, got 'tpu'"},
                      BadInvocation{"GemvLayoutWithoutMatmul", "-m GOLDEN --gemv-layout gpu", "need --matmul TYPES"},
                      BadInvocation{"SweepCsvUnwritable", "-m GOLDEN -n 1 -r 1 --warmup 0 --sweep-budget 2 --sweep-csv /nonexistent/dir/s.csv",
                                    "cannot write '/nonexistent/dir/s.csv'"}),
    [](const auto& info) { return info.param.name; });

TEST(BenchHelp, PrintsUsageAndSucceeds) {
  CliRun r = run_bench("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: vkmoe-bench -m FILE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GPU timestamps"), std::string::npos) << r.out;
  for (const char* flag : {"--vram-budget", "--expert-slots", "--expert-policy", "--prefetch", "--zero-copy",
                           "--compare-resident", "--sweep-budget", "--sweep-csv", "--plot", "--profile", "--matmul",
                           "--matmul-shapes", "--matmul-tokens", "--gemv-layout"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag << " missing from:\n" << r.out;
  }
}

}  // namespace
}  // namespace vkmoe::test
