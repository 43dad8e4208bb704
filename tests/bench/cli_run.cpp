#include "tests/bench/cli_run.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

CliRun run_exe(const std::string& exe, const std::string& args) {
  std::string stem = scratch_path("");
  std::string cmd = "VKMOE_VALIDATION=1 " + shell_quote(exe) + " " + args + " </dev/null >" + shell_quote(stem + ".out") +
                    " 2>" + shell_quote(stem + ".err");
  int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(stem + ".out");
  r.err = read_text(stem + ".err");
  std::remove((stem + ".out").c_str());
  std::remove((stem + ".err").c_str());
  return r;
}

}  // namespace

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string scratch_path(const std::string& suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test_name = info != nullptr ? info->name() : "suite";
  for (char& c : test_name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return ::testing::TempDir() + "vkmoe_bench_" + std::to_string(::getpid()) + "_" + test_name + suffix;
}

CliRun run_bench(const std::string& args) { return run_exe(VKMOE_BENCH_EXE, args); }
CliRun run_vkmoe(const std::string& args) { return run_exe(VKMOE_EXE, args); }

std::string golden_model_arg() { return shell_quote(golden_path(kGoldenModel)); }
std::string model_args(const std::string& rest) { return "-m " + golden_model_arg() + " " + rest; }

}  // namespace vkmoe::test
