// vkmoe-bench --profile and vkmoe run --profile on the golden GGUF: the profile's accounting,
// never its speed. The per-family times, copies, barriers and submission gaps add up to the
// steps' GPU time; calls per token follow from the layer count (from the Hugging Face config,
// golden_figures.h); dispatches are the sum of the families' calls; matmul families read at
// least the weights a token needs and, for experts, not whole expert pools; and every
// architecture of the goldens labels every kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/cli_run.h"
#include "tests/bench/json_run_suite.h"
#include "tests/bench/golden_figures.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

const char* kProfiledRun = "-p 16 -n 4 -r 2 --warmup 1 --profile";

const std::vector<std::string> kFamilies = {
    "embedding",  "norm",           "qkv_proj",   "rope",        "kv_write", "attention",     "out_proj",
    "residual_add", "router_topk",  "moe_dispatch", "expert_gate_up", "activation", "expert_down", "scatter",
    "shared_expert", "dense_ffn",   "lm_head",    "sampling",    "other"};

const nlohmann::json& family(const nlohmann::json& profile, const std::string& name) {
  for (const auto& f : profile.at("families")) {
    if (f.at("family") == name) return f;
  }
  throw std::runtime_error("no family " + name);
}

double calls(const nlohmann::json& profile, const std::string& name) {
  return family(profile, name).at("calls_per_token").get<double>();
}

// The families' times, the copies, the barriers and the submission gaps make up the GPU time
// to within one timestamp tick per token.
void expect_time_adds_up(const nlohmann::json& p) {
  double sum = 0;
  for (const auto& f : p.at("families")) {
    EXPECT_GE(f.at("us_per_token").get<double>(), 0) << f.at("family");
    sum += f.at("us_per_token").get<double>();
  }
  sum += p.at("copies").at("us_per_token").get<double>();
  sum += p.at("barriers_us_per_token").get<double>();
  sum += p.at("submission_gaps_us_per_token").get<double>();
  const double gpu = p.at("gpu_us_per_token").get<double>();
  EXPECT_GT(gpu, 0);
  EXPECT_NEAR(sum, gpu, p.at("timestamp_period_ns").get<double>() / 1e3) << p.dump(2);
}

void expect_dispatches_are_the_calls(const nlohmann::json& p) {
  double sum = 0;
  for (const auto& f : p.at("families")) sum += f.at("calls_per_token").get<double>();
  EXPECT_NEAR(p.at("dispatches_per_token").get<double>(), sum, 1e-9 * sum);
  EXPECT_EQ(calls(p, "other"), 0) << "every kernel of the forward pass carries a family";
}

class BenchProfile : public JsonRunSuite<BenchProfile> {
 public:
  static std::string args() { return model_args(std::string(kProfiledRun) + " -o json"); }
};

TEST_F(BenchProfile, EveryRowCarriesEveryFamily) {
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    ASSERT_TRUE(row.contains("profile")) << row.dump(2);
    const auto& p = row.at("profile");
    ASSERT_EQ(p.at("families").size(), kFamilies.size());
    for (size_t i = 0; i < kFamilies.size(); ++i) EXPECT_EQ(p.at("families")[i].at("family"), kFamilies[i]);
    EXPECT_NE(p.at("timer").get<std::string>().find("GPU timestamps"), std::string::npos);
  }
}

TEST_F(BenchProfile, TimeAddsUpToTheStepsGpuTime) {
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    expect_time_adds_up(row.at("profile"));
  }
}

TEST_F(BenchProfile, StepsAndTokensAreTheTimedRuns) {
  auto j = rows();
  // pp16: one step of 16 tokens per run; tg4: a one-token prompt and 4 one-token steps per run.
  EXPECT_EQ(j[0].at("profile").at("steps"), 2);
  EXPECT_EQ(j[0].at("profile").at("tokens"), 32);
  EXPECT_EQ(j[1].at("profile").at("steps"), 10);
  EXPECT_EQ(j[1].at("profile").at("tokens"), 10);
}

TEST_F(BenchProfile, DecodeCallsPerTokenFollowTheLayers) {
  const ExpectedModel e = expected_model();
  const nlohmann::json j = rows();
  const auto& p = j[1].at("profile");
  for (const auto& f : p.at("families")) {
    const double c = f.at("calls_per_token").get<double>();
    EXPECT_EQ(c, std::floor(c)) << f.at("family") << ": one-token steps have whole calls per token";
  }
  EXPECT_EQ(calls(p, "embedding"), 1);
  EXPECT_EQ(calls(p, "lm_head"), 1);
  EXPECT_EQ(calls(p, "sampling"), 1) << "a greedy decode step takes its argmax on the GPU";
  EXPECT_EQ(calls(p, "expert_gate_up"), e.n_layer) << "gate, up and SwiGLU as one gated GEMV per MoE layer, all experts resident";
  EXPECT_EQ(calls(p, "activation"), 0) << "the gated GEMV applies the SwiGLU";
  EXPECT_EQ(calls(p, "expert_down"), e.n_layer);
  EXPECT_EQ(calls(p, "scatter"), 0) << "a decode step's down projection ends with the scatter";
  EXPECT_EQ(calls(p, "router_topk"), e.n_layer) << "a decode step's router matmul, top-k and plan are one kernel";
  EXPECT_EQ(calls(p, "norm"), 1) << "only the first layer's input norm is a kernel of its own";
  EXPECT_EQ(calls(p, "out_proj"), e.n_layer);
  EXPECT_GE(calls(p, "attention"), e.n_layer);
  EXPECT_EQ(calls(p, "shared_expert"), 0) << "Qwen3-MoE has no shared expert";
  EXPECT_EQ(calls(p, "dense_ffn"), 0) << "every layer of the golden is MoE";
  expect_dispatches_are_the_calls(p);
  EXPECT_EQ(p.at("submissions_per_token"), 1.0) << "a resident decode step is one command buffer";
  EXPECT_EQ(p.at("host_waits_per_token"), 1.0);
  EXPECT_EQ(p.at("submission_gaps_us_per_token"), 0.0);
  const double barriers = p.at("barriers_per_token").get<double>();
  EXPECT_GT(barriers, 0);
  EXPECT_EQ(barriers, std::floor(barriers)) << "every one-token step records the same barriers";
}

TEST_F(BenchProfile, PromptDispatchesAreTheCalls) {
  const nlohmann::json j = rows();
  const auto& p = j[0].at("profile");
  expect_dispatches_are_the_calls(p);
  EXPECT_EQ(p.at("submissions_per_token"), 1.0 / 16);
}

TEST_F(BenchProfile, MatmulsReadTheirWeights) {
  const ExpectedModel e = expected_model();
  const nlohmann::json j = rows();
  for (const auto& row : j) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    const auto& p = row.at("profile");
    for (const char* name : {"qkv_proj", "out_proj", "router_topk", "expert_gate_up", "expert_down", "lm_head"}) {
      const auto& f = family(p, name);
      EXPECT_GT(f.at("bytes_read_per_token").get<double>(), 0) << name;
      EXPECT_GT(f.at("bytes_written_per_token").get<double>(), 0) << name;
      EXPECT_GT(f.at("gbs").get<double>(), 0) << name;
      EXPECT_NEAR(f.at("copy_bandwidth_fraction").get<double>(),
                  f.at("gbs").get<double>() / p.at("copy_bandwidth_gbs").get<double>(), 1e-9) << name;
    }
  }
  // Decode: gate + up are two thirds of an expert's bytes; a token reads top-k experts per
  // layer, never the whole pool.
  const auto& tg = j[1].at("profile");
  const double gate_up = family(tg, "expert_gate_up").at("bytes_read_per_token").get<double>();
  const double routed = 2.0 / 3.0 * double(e.expert_bytes) * e.n_expert_used * e.n_layer;
  EXPECT_GE(gate_up, routed);
  EXPECT_LT(gate_up, 2.0 / 3.0 * double(e.expert_bytes) * e.n_expert * e.n_layer);
  double read = 0;
  for (const auto& f : tg.at("families")) read += f.at("bytes_read_per_token").get<double>();
  EXPECT_GE(read, e.active_bytes_per_token) << "a token reads at least its active weights";
}

// Cells of the markdown table rows after `title`, header first, the --- rule left out.
std::vector<std::vector<std::string>> table_after(const std::string& text, const std::string& title) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(text.substr(std::min(text.size(), text.find(title))));
  bool started = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '|') {
      if (started) break;
      continue;
    }
    started = true;
    std::vector<std::string> cells;
    std::stringstream parts(line.substr(1));
    for (std::string cell; std::getline(parts, cell, '|');) {
      const size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    if (cells.size() > 1 && cells[1].find("---") != std::string::npos) continue;
    rows.push_back(cells);
  }
  return rows;
}

// The markdown table: its families' calls add up to the "all kernels" line.
void expect_markdown_profile(const std::string& text, const std::string& title) {
  SCOPED_TRACE(title);
  ASSERT_NE(text.find(title), std::string::npos) << text;
  auto table = table_after(text, title);
  ASSERT_GE(table.size(), 6u) << text;
  EXPECT_EQ(table[0][0], "kernel family");
  EXPECT_EQ(table[0][2], "µs/token");
  double calls = 0, all = -1;
  bool gate_up = false;
  for (size_t i = 1; i < table.size(); ++i) {
    ASSERT_EQ(table[i].size(), table[0].size());
    if (table[i][0] == "all kernels") {
      all = std::stod(table[i][1]);
      break;
    }
    calls += std::stod(table[i][1]);
    gate_up = gate_up || table[i][0] == "expert_gate_up";
  }
  EXPECT_TRUE(gate_up) << text;
  EXPECT_NEAR(calls, all, 0.01 * table.size()) << text;
  EXPECT_NE(text.find("pipeline barriers"), std::string::npos);
}

TEST(BenchProfileMarkdown, PrintsAProfileTablePerTest) {
  CliRun r = run_bench(model_args("-p 16 -n 4 -r 1 --warmup 0 --profile -o md"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_markdown_profile(r.out, "Profile of pp16");
  expect_markdown_profile(r.out, "Profile of tg4");
}

TEST(BenchProfileMarkdown, WithoutTheFlagThereIsNoProfile) {
  CliRun r = run_bench(model_args("-p 0 -n 2 -r 1 --warmup 0 -o json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(r.out)[0].contains("profile"));
}

// Streaming cuts each step into several command buffers: the timestamps still bracket every
// kernel, and the time between the pieces shows as submission gaps.
TEST(BenchProfileStreaming, PiecesOfAStepAddUp) {
  const ExpectedModel e = expected_model();
  CliRun r = run_bench(model_args("-p 8 -n 3 -r 1 --warmup 0 --profile --expert-slots 6 -o json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  for (const auto& row : j) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    const auto& p = row.at("profile");
    expect_time_adds_up(p);
    expect_dispatches_are_the_calls(p);
    EXPECT_GT(p.at("submission_gaps_us_per_token").get<double>(), 0);
    EXPECT_GT(p.at("copies_per_token").get<double>(), 0) << "the routing read-back is a copy";
  }
  const auto& tg = j[1].at("profile");
  EXPECT_GE(tg.at("submissions_per_token").get<double>(), 1.0 + e.n_layer) << "a cut after each MoE layer's routing";
  EXPECT_EQ(tg.at("host_waits_per_token").get<double>(), tg.at("submissions_per_token").get<double>() - 0)
      << "the host waits for each routing read-back and for the step's end";
}

// Every architecture's forward pass labels every kernel, and its profile adds up. Which
// families appear follows from the tensors the MANIFEST lists for each golden file.
struct ArchitectureCase {
  std::string name;
  std::string file;
  bool shared_expert;  // *_shexp tensors
  bool dense_layers;   // a leading dense FFN (blk.0.ffn_gate.weight)
};

void PrintTo(const ArchitectureCase& c, std::ostream* os) { *os << c.file; }

class ProfileEveryArchitecture : public ::testing::TestWithParam<ArchitectureCase> {};

TEST_P(ProfileEveryArchitecture, LabelsEveryKernelAndAddsUp) {
  const ArchitectureCase& c = GetParam();
  CliRun r = run_bench("-m " + shell_quote(golden_path("gguf/" + c.file)) + " -p 4 -n 1 -r 1 --warmup 0 --profile -o json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  for (const auto& row : j) {
    SCOPED_TRACE(row.at("test").get<std::string>());
    const auto& p = row.at("profile");
    expect_time_adds_up(p);
    expect_dispatches_are_the_calls(p);
    EXPECT_EQ(calls(p, "shared_expert") > 0, c.shared_expert);
    EXPECT_EQ(calls(p, "dense_ffn") > 0, c.dense_layers);
    EXPECT_GT(calls(p, "expert_gate_up"), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, ProfileEveryArchitecture,
                         ::testing::Values(ArchitectureCase{"Mixtral", "mixtral-F16.gguf", false, false},
                                           ArchitectureCase{"Qwen2Moe", "qwen2_moe-F16.gguf", true, false},
                                           ArchitectureCase{"Olmoe", "olmoe-F16.gguf", false, false},
                                           ArchitectureCase{"DeepseekV3", "deepseek_v3-F16.gguf", true, true},
                                           ArchitectureCase{"GptOss", "gpt_oss-F16.gguf", false, false}),
                         [](const auto& info) { return info.param.name; });

TEST(RunProfile, PrintsTheProfileOfPromptAndGeneration) {
  CliRun r = run_vkmoe("run --model " + golden_model_arg() + " --prompt 'hello world' -n 4 --profile");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_markdown_profile(r.err, "Profile of the prompt");
  expect_markdown_profile(r.err, "Profile of the generated tokens");
}

}  // namespace
}  // namespace vkmoe::test
