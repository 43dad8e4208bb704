// vkmoe-bench: llama-bench-style speed measurements of a model on a Vulkan device: prompt
// processing (ppN) and generation (tgN) tokens/s, VRAM, expert-cache traffic, and how close
// generation comes to the bound that the device's copy bandwidth sets. With experts streaming,
// it compares against a fully resident run (--compare-resident) or sweeps the VRAM budget.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "apps/common/copy_bandwidth.h"
#include "apps/common/loaded_model.h"
#include "apps/vkmoe-bench/bench_options.h"
#include "apps/vkmoe-bench/budget_sweep.h"
#include "apps/vkmoe-bench/matmul_bench.h"
#include "apps/vkmoe-bench/model_profile.h"
#include "apps/vkmoe-bench/report.h"
#include "apps/vkmoe-bench/speed_test.h"
#include "apps/vkmoe-bench/sweep_report.h"
#include "apps/vkmoe-bench/vram_use.h"
#include "loader/base/error.h"

namespace vkmoe::bench {
namespace {

std::vector<SpeedTest> tests_of(const BenchOptions& o) {
  std::vector<SpeedTest> tests;
  for (uint32_t n : o.prompt_lengths) tests.push_back({SpeedTest::Kind::kPrompt, n});
  for (uint32_t n : o.gen_lengths) tests.push_back({SpeedTest::Kind::kGenerate, n});
  return tests;
}

// The VRAM budget keeps room for the largest session the tests open (run_speed_test sizes
// each session to its test).
ModelOptions model_options_for_tests(const ExpertOptions& experts, const std::vector<SpeedTest>& tests, uint32_t ubatch) {
  ModelOptions o;
  o.experts = experts;
  o.max_ctx = 1;
  o.max_tokens = 1;
  for (const SpeedTest& t : tests) {
    const bool prompt = t.kind == SpeedTest::Kind::kPrompt;
    o.max_ctx = std::max(o.max_ctx, prompt ? t.n_tokens : t.n_tokens + 1);
    if (prompt) o.max_tokens = std::max(o.max_tokens, std::min(t.n_tokens, ubatch));
  }
  return o;
}

// A validation message means the numbers came from an invalid use of the API.
void check_validation(vk::Context& ctx) {
  auto& instance = ctx.instance();
  if (instance.validation_enabled() && instance.validation_message_count() > 0) {
    throw Error(ErrorCode::kInternal, std::to_string(instance.validation_message_count()) +
                                          " Vulkan validation message(s); the last: " + instance.last_validation_message());
  }
}

std::vector<BenchRow> run_tests(const Model& model, const std::vector<SpeedTest>& tests, const SpeedRun& run,
                                const BenchReport& report, const char* label) {
  const ModelProfile profile = profile_model(model.spec());
  const VramUse vram = vram_use_of(model);
  const vk::DeviceCaps& caps = model.context().caps();
  std::vector<BenchRow> rows;
  for (const SpeedTest& test : tests) {
    std::string name = test.name();
    std::fprintf(stderr, "vkmoe-bench: %s%s: %u warm-up + %u timed run(s)\n", name.c_str(), label, run.warmup, run.repetitions);
    SpeedResult result = run_speed_test(model, test, run, [&](uint32_t i, double tps) {
      std::fprintf(stderr, "vkmoe-bench: %s%s run %u/%u: %.2f t/s\n", name.c_str(), label, i + 1, run.repetitions, tps);
    });
    for (double tps : result.tokens_per_second) {
      if (!std::isfinite(tps) || tps <= 0) {
        throw Error(ErrorCode::kInternal, name + ": a run measured " + std::to_string(tps) + " t/s (clock too coarse?)");
      }
    }
    rows.push_back(make_row(profile, caps.name, caps.driver, vram, report.bandwidth, test, run, result));
  }
  return rows;
}

// Loads the model again with every expert resident (the streaming model is released first)
// and runs the same tests; returns why not when they do not fit.
std::string compare_with_resident(cli::LoadedModel& loaded, const std::string& path, ModelOptions options,
                                  const std::vector<SpeedTest>& tests, const SpeedRun& run, BenchReport& report) {
  vk::Context& ctx = *loaded.context;
  loaded.model.reset();
  options.experts = {};
  std::unique_ptr<Model> resident;
  try {
    resident = Model::load(ctx, path, options);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kOutOfMemory) throw;
    return std::string("no resident comparison: ") + e.what();
  }
  if (resident->placement().streaming) {
    return "no resident comparison: the experts do not all fit in the free VRAM (" + resident->placement().describe() + ")";
  }
  std::fprintf(stderr, "vkmoe-bench: every expert resident for --compare-resident\n");
  add_resident_comparison(report.rows, run_tests(*resident, tests, run, report, " (resident)"), report.upload);
  return "";
}

// A file the sweep writes, opened before the measurements so a bad path fails at once.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) throw Error(ErrorCode::kInvalidArgument, "cannot write '" + path + "': " + std::strerror(errno));
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::FILE* get() const { return file_; }
  void close() {
    const bool failed = std::ferror(file_) != 0;
    const bool close_failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed || close_failed) throw Error(ErrorCode::kInvalidArgument, "error writing '" + path_ + "'");
  }

 private:
  std::string path_;
  std::FILE* file_;
};

int run_sweep(const BenchOptions& options) {
  std::unique_ptr<OutputFile> csv_file, plot_file;
  if (!options.sweep_csv.empty()) csv_file = std::make_unique<OutputFile>(options.sweep_csv);
  if (!options.plot.empty()) plot_file = std::make_unique<OutputFile>(options.plot);
  const SpeedTest test{SpeedTest::Kind::kGenerate, options.gen_lengths.front()};
  ModelOptions model_options = model_options_for_tests(options.experts, {test}, options.ubatch);
  // The first point, top-k slots, is the fewest that work; loading it also tells how many
  // experts the model has in all.
  const ModelConfig config = load_model_spec(options.model_path).config;
  if (config.n_expert == 0) throw Error(ErrorCode::kInvalidArgument, options.model_path + " has no experts: nothing to sweep");
  model_options.experts.expert_slots = config.n_expert_used;
  cli::LoadedModel loaded = cli::load_model_for_cli(options.model_path, model_options);
  const std::vector<uint32_t> counts =
      sweep_slot_counts(config.n_expert_used, loaded.model->placement().total_experts, options.sweep_points);
  std::fprintf(stderr, "vkmoe-bench: sweeping %s over %zu expert-slot counts, %u warm-up + %u timed run(s) each\n",
               test.name().c_str(), counts.size(), options.warmup, options.repetitions);
  const SpeedRun run{options.repetitions, options.warmup, options.ubatch, false, options.sampling};
  BudgetSweep sweep = run_budget_sweep(std::move(loaded.model), options.model_path, counts, model_options, test, run,
                                       [&](const SweepPoint& p, size_t i) {
                                         std::fprintf(stderr,
                                                      "vkmoe-bench: sweep %zu/%zu: %u/%u slots, %.2f MiB VRAM: %.2f ± %.2f t/s, "
                                                      "hit rate %.1f%%\n",
                                                      i + 1, counts.size(), p.vram.expert_slots, p.vram.total_experts,
                                                      double(p.vram.total()) / double(1 << 20), p.avg_ts, p.stddev_ts,
                                                      100.0 * p.hit_rate);
                                       });
  check_validation(*loaded.context);
  write_sweep_csv(csv_file ? csv_file->get() : stdout, sweep);
  if (csv_file) csv_file->close();
  if (plot_file) {
    write_sweep_svg(plot_file->get(), sweep);
    plot_file->close();
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run_matmul_bench(const BenchOptions& options) {
  auto ctx = vk::Context::create({});
  const cli::CopyBandwidth bandwidth = cli::measure_copy_bandwidth(*ctx);
  std::fprintf(stderr, "vkmoe-bench: %s, copy bandwidth %.2f GB/s (%s)\n", ctx->caps().name.c_str(),
               bandwidth.bytes_per_second / 1e9, bandwidth.timer.c_str());
  const std::vector<MatmulTiming> timings =
      time_matmuls(*ctx, options.matmul_types, options.matmul_shapes, options.matmul_tokens, options.repetitions,
                   options.matmul_gemv_layout);
  check_validation(*ctx);
  if (options.format == OutputFormat::kJson) {
    write_matmul_json(stdout, timings, bandwidth.bytes_per_second);
  } else {
    write_matmul_markdown(stdout, timings, bandwidth.bytes_per_second);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run(const std::vector<std::string>& argv) {
  BenchOptions options = parse_bench_options(argv);
  if (options.help) {
    std::fputs(bench_usage(), stdout);
    return 0;
  }
  if (!options.matmul_types.empty()) return run_matmul_bench(options);
  if (options.sweep_points > 0) return run_sweep(options);
  const std::vector<SpeedTest> tests = tests_of(options);
  const ModelOptions model_options = model_options_for_tests(options.experts, tests, options.ubatch);
  cli::LoadedModel loaded = cli::load_model_for_cli(options.model_path, model_options);
  vk::Context& ctx = *loaded.context;

  BenchReport report;
  report.repetitions = options.repetitions;
  report.warmup = options.warmup;
  report.bandwidth = cli::measure_copy_bandwidth(ctx);
  report.upload = cli::measure_upload_bandwidth(ctx);
  std::fprintf(stderr, "vkmoe-bench: copy bandwidth %.2f GB/s (%llu MiB buffer, %s)\n", report.bandwidth.bytes_per_second / 1e9,
               static_cast<unsigned long long>(report.bandwidth.buffer_bytes >> 20), report.bandwidth.timer.c_str());
  std::fprintf(stderr, "vkmoe-bench: host-to-device bandwidth %.2f GB/s (%llu MiB buffer, %s)\n",
               report.upload.bytes_per_second / 1e9, static_cast<unsigned long long>(report.upload.buffer_bytes >> 20),
               report.upload.timer.c_str());
  if (const vk::CoopmatShape& shape = ctx.caps().coopmat_f16; shape.available()) {
    std::fprintf(stderr, "vkmoe-bench: prompts take the cooperative-matrix GEMM (%ux%ux%u half fragments; VKMOE_COOPMAT=0 takes the scalar one)\n",
                 shape.m, shape.n, shape.k);
  }

  const SpeedRun run{options.repetitions, options.warmup, options.ubatch, options.profile, options.sampling};
  report.rows = run_tests(*loaded.model, tests, run, report, "");
  const bool streaming = loaded.model->placement().streaming;
  if (options.compare_resident && streaming) {
    report.comparison_note = compare_with_resident(loaded, options.model_path, model_options, tests, run, report);
  } else if (options.compare_resident) {
    report.comparison_note = "--compare-resident: every expert is already resident, so there is nothing to compare";
  } else if (streaming) {
    report.comparison_note = "experts stream: --compare-resident adds the ratios against a fully resident run";
  }
  if (!report.comparison_note.empty()) std::fprintf(stderr, "vkmoe-bench: %s\n", report.comparison_note.c_str());
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
