#pragma once
// The command line of vkmoe-bench, modelled on llama-bench's so the same invocation measures
// the same thing: -m FILE -p 512 -n 128 -r 5 -o md.
#include <cstdint>
#include <string>
#include <vector>

#include "apps/vkmoe-bench/matmul_bench.h"
#include "engine/experts/expert_options.h"
#include "engine/sampler/sampler.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::bench {

enum class OutputFormat { kMarkdown, kJson, kCsv };

struct BenchOptions {
  std::string model_path;
  std::vector<uint32_t> prompt_lengths = {512};  // one ppN test each; 0 entries are dropped
  std::vector<uint32_t> gen_lengths = {128};     // one tgN test each; 0 entries are dropped
  uint32_t repetitions = 5;
  uint32_t warmup = 1;       // untimed runs of each test before its repetitions
  uint32_t ubatch = 512;     // prompt tokens per GPU step (llama-bench's -ub)
  OutputFormat format = OutputFormat::kMarkdown;
  ExpertOptions experts;           // --vram-budget, --expert-slots, --expert-policy, --prefetch, --zero-copy
  bool compare_resident = false;   // also run every test with all experts resident, and print the ratios
  bool profile = false;            // time every kernel of the timed runs and print a profile per test
  SamplingParams sampling;         // how tgN steps pick their token (default greedy: the argmax on the GPU)
  uint32_t sweep_points = 0;       // > 0: a tg sweep over this many expert-slot counts instead of the tests
  std::string sweep_csv;           // the sweep's CSV file; empty: stdout
  std::string plot;                // the sweep's SVG chart; empty: none
  std::vector<TensorType> matmul_types;    // --matmul: time these kernels alone instead of a model
  std::vector<MatmulShape> matmul_shapes;  // --matmul-shapes
  std::vector<uint32_t> matmul_tokens = {1};  // --matmul-tokens
  kernels::GemvLayout matmul_gemv_layout = kernels::GemvLayout::kAuto;  // --gemv-layout
  bool help = false;
};

// Throws Error(kInvalidArgument) naming the flag and the bad value.
BenchOptions parse_bench_options(const std::vector<std::string>& argv);
const char* bench_usage();

}  // namespace vkmoe::bench
