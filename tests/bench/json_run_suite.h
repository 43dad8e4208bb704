#pragma once
// A test suite over one vkmoe-bench run with json output, made once for the whole suite (a run
// takes seconds): a pp and a tg test, so two rows. The suite names its arguments in a static
// `args()`:
//   class BenchJson : public JsonRunSuite<BenchJson> { public: static std::string args(); };
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/bench/cli_run.h"

namespace vkmoe::test {

template <class Suite>
class JsonRunSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { run_ = std::make_unique<CliRun>(run_bench(Suite::args())); }
  static void TearDownTestSuite() { run_.reset(); }
  // The run's two rows; the run must have succeeded.
  static nlohmann::json rows() {
    EXPECT_EQ(run_->exit_code, 0) << run_->err;
    nlohmann::json j = nlohmann::json::parse(run_->out);
    EXPECT_EQ(j.size(), 2u) << run_->out;
    return j;
  }
  static const CliRun& run() { return *run_; }

 private:
  static inline std::unique_ptr<CliRun> run_;
};

}  // namespace vkmoe::test
