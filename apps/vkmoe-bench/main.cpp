// vkmoe-bench: llama-bench-style speed measurements of a model on a Vulkan device: prompt
// processing (ppN) and generation (tgN) tokens/s, VRAM, expert-cache traffic, and how close
// generation comes to the bound that the device's copy bandwidth sets.
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "apps/common/loaded_model.h"
#include "apps/vkmoe-bench/bench_options.h"
#include "apps/vkmoe-bench/copy_bandwidth.h"
#include "apps/vkmoe-bench/model_profile.h"
#include "apps/vkmoe-bench/report.h"
#include "apps/vkmoe-bench/speed_test.h"
#include "loader/base/error.h"

namespace vkmoe::bench {
namespace {

std::vector<SpeedTest> tests_of(const BenchOptions& o) {
  std::vector<SpeedTest> tests;
  for (uint32_t n : o.prompt_lengths) tests.push_back({SpeedTest::Kind::kPrompt, n});
  for (uint32_t n : o.gen_lengths) tests.push_back({SpeedTest::Kind::kGenerate, n});
  return tests;
}

// A validation message means the numbers came from an invalid use of the API.
void check_validation(vk::Context& ctx) {
  auto& instance = ctx.instance();
  if (instance.validation_enabled() && instance.validation_message_count() > 0) {
    throw Error(ErrorCode::kInternal, std::to_string(instance.validation_message_count()) +
                                          " Vulkan validation message(s); the last: " + instance.last_validation_message());
  }
}

int run(const std::vector<std::string>& argv) {
  BenchOptions options = parse_bench_options(argv);
  if (options.help) {
    std::fputs(bench_usage(), stdout);
    return 0;
  }
  cli::LoadedModel loaded = cli::load_model_for_cli(options.model_path);
  vk::Context& ctx = *loaded.context;
  ModelProfile profile = profile_model(loaded.model->spec());

  BenchReport report;
  report.repetitions = options.repetitions;
  report.warmup = options.warmup;
  report.bandwidth = measure_copy_bandwidth(ctx);
  std::fprintf(stderr, "vkmoe-bench: copy bandwidth %.2f GB/s (%llu MiB buffer, %s)\n",
               report.bandwidth.bytes_per_second / 1e9,
               static_cast<unsigned long long>(report.bandwidth.buffer_bytes >> 20), report.bandwidth.timer.c_str());

  SpeedRun run{options.repetitions, options.warmup, options.ubatch};
  for (const SpeedTest& test : tests_of(options)) {
    std::string name = test.name();
    std::fprintf(stderr, "vkmoe-bench: %s: %u warm-up + %u timed run(s)\n", name.c_str(), run.warmup, run.repetitions);
    SpeedResult result = run_speed_test(*loaded.model, test, run, [&](uint32_t i, double tps) {
      std::fprintf(stderr, "vkmoe-bench: %s run %u/%u: %.2f t/s\n", name.c_str(), i + 1, run.repetitions, tps);
    });
    for (double tps : result.tokens_per_second) {
      if (!std::isfinite(tps) || tps <= 0) {
        throw Error(ErrorCode::kInternal, name + ": a run measured " + std::to_string(tps) + " t/s (clock too coarse?)");
      }
    }
    report.rows.push_back(make_row(profile, ctx.caps().name, ctx.caps().driver, report.bandwidth, test, run, result));
  }
  check_validation(ctx);

  switch (options.format) {
    case OutputFormat::kMarkdown: write_markdown(stdout, report); break;
    case OutputFormat::kJson: write_json(stdout, report); break;
    case OutputFormat::kCsv: write_csv(stdout, report); break;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vkmoe::bench

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(vkmoe::bench::bench_usage(), stderr);
    return 2;
  }
  try {
    return vkmoe::bench::run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vkmoe-bench: error: %s\n", e.what());
    return 1;
  }
}
