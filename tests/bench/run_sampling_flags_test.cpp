// `vkmoe run` and `vkmoe chat` refuse sampling flags that mean nothing (a negative
// temperature, top-p outside (0, 1], min-p outside [0, 1], a penalty that is not positive)
// before loading the model, naming the setting; valid edge values are accepted; a seed repeats a
// sampled run, whose tokens come from the candidates read back on the device.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "tests/bench/cli_run.h"

namespace vkmoe::test {
namespace {

struct SamplingFlag {
  std::string name;
  std::string flags;
  std::string message;  // a piece of the expected error
};

void PrintTo(const SamplingFlag& f, std::ostream* os) { *os << f.name << ": " << f.flags; }

class RunRejectsSampling : public ::testing::TestWithParam<SamplingFlag> {};

TEST_P(RunRejectsSampling, BeforeLoadingTheModel) {
  for (const char* command : {"run --prompt hi -n 2", "chat"}) {
    const CliRun r = run_vkmoe(std::string(command) + " --model " + golden_model_arg() + " " + GetParam().flags + " </dev/null");
    EXPECT_NE(r.exit_code, 0) << command << ": " << r.out;
    EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << command << " stderr: " << r.err;
    EXPECT_EQ(r.err.find(" layers, "), std::string::npos) << "refused before the model loads: " << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(BadValues, RunRejectsSampling,
                         ::testing::Values(SamplingFlag{"NegativeTemperature", "--temp -1", "temperature must be >= 0"},
                                           SamplingFlag{"ZeroTopP", "--top-p 0", "top-p must be in (0, 1]"},
                                           SamplingFlag{"TopPAboveOne", "--top-p 1.5", "top-p must be in (0, 1]"},
                                           SamplingFlag{"NegativeMinP", "--min-p -0.5", "min-p must be in [0, 1]"},
                                           SamplingFlag{"MinPAboveOne", "--min-p 2", "min-p must be in [0, 1]"},
                                           SamplingFlag{"ZeroPenalty", "--repeat-penalty 0", "repetition penalty must be positive"}),
                         [](const auto& info) { return info.param.name; });

TEST(RunAcceptsSampling, EdgeValues) {
  const CliRun r = run_vkmoe("run --model " + golden_model_arg() + " --prompt hi -n 2 --temp 0 --top-p 1 --min-p 1 --seed 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(RunAcceptsSampling, SeedRepeatsASampledRun) {
  for (const char* cuts : {"--top-k 8 --repeat-penalty 1.2", "--top-p 0.9 --min-p 0.05"}) {
    const std::string command =
        "run --model " + golden_model_arg() + " --prompt hi -n 12 --temp 0.8 --seed 5 " + std::string(cuts);
    const CliRun first = run_vkmoe(command), second = run_vkmoe(command);
    ASSERT_EQ(first.exit_code, 0) << cuts << ": " << first.err;
    ASSERT_EQ(second.exit_code, 0) << cuts << ": " << second.err;
    EXPECT_FALSE(first.out.empty()) << cuts;
    EXPECT_EQ(first.out, second.out) << cuts;
  }
}

}  // namespace
}  // namespace vkmoe::test
