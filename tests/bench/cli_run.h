#pragma once
// Runs the built vkmoe-bench and vkmoe binaries as a user would, capturing exit code, stdout
// and stderr, with the Khronos validation layer on (vkmoe-bench fails on any message).
#include <string>

namespace vkmoe::test {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CliRun run_bench(const std::string& args);
CliRun run_vkmoe(const std::string& args);

std::string read_text(const std::string& path);
std::string shell_quote(const std::string& s);
// A path for a scratch file named after the running test: TempDir/vkmoe_bench_<pid>_<test><suffix>.
std::string scratch_path(const std::string& suffix);

// The golden GGUF the suite measures, quoted for a shell, and "-m <it> <rest>".
inline constexpr const char* kGoldenModel = "gguf/qwen3_moe-F16.gguf";
std::string golden_model_arg();
std::string model_args(const std::string& rest);

}  // namespace vkmoe::test
