#include "apps/vkmoe-bench/bench_options.h"

#include <optional>

#include "apps/common/args.h"
#include "apps/common/expert_args.h"
#include "apps/common/sampling_args.h"
#include "engine/kernels/matmul.h"
#include "loader/base/error.h"

namespace vkmoe::bench {
namespace {

constexpr uint64_t kMaxTokens = 1u << 20;
constexpr uint64_t kMaxRepetitions = 10000;
constexpr uint64_t kMaxSweepPoints = 1000;

// llama-bench spells each option two ways (-p / --n-prompt); either is accepted, not both.
std::optional<std::string> get_either(cli::Args& args, const std::string& short_name, const std::string& long_name) {
  auto a = args.get(short_name);
  auto b = args.get(long_name);
  if (a && b) {
    throw Error(ErrorCode::kInvalidArgument, "-" + short_name + " and --" + long_name + " are the same option; give one");
  }
  return a ? a : b;
}

uint64_t parse_count(const std::string& flag, const std::string& text, uint64_t max) {
  bool digits = !text.empty() && text.size() <= 12 && text.find_first_not_of("0123456789") == std::string::npos;
  uint64_t v = digits ? std::stoull(text) : 0;
  if (!digits || v > max) {
    throw Error(ErrorCode::kInvalidArgument,
                flag + " expects an integer in [0, " + std::to_string(max) + "], got '" + text + "'");
  }
  return v;
}

// "512" or "128,512,2048"; zeros mean "no test of this kind" as in llama-bench.
std::vector<uint32_t> parse_lengths(const std::string& flag, const std::string& text) {
  std::vector<uint32_t> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    uint64_t v = parse_count(flag, item, kMaxTokens);
    if (v > 0) out.push_back(static_cast<uint32_t>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// The shapes the decode targets name: a Mixtral-8x7B FFN matrix both ways, and the
// gate/up and down matrices of a Qwen3-30B-A3B expert layer (128 experts, top-8).
const char* kDefaultMatmulShapes = "14336x4096,4096x14336,128e8:768x2048,128e8:2048x768";

void parse_matmul_options(BenchOptions& o, const std::string& types, const std::optional<std::string>& shapes,
                          const std::optional<std::string>& tokens, const std::optional<std::string>& layout) {
  for (const std::string& name : split_commas(types)) {
    std::optional<TensorType> type = tensor_type_from_name(name);
    if (!type || !kernels::matmul_supports(*type)) throw Error(ErrorCode::kInvalidArgument, "--matmul: no matmul kernel decodes '" + name + "'");
    o.matmul_types.push_back(*type);
  }
  for (const std::string& shape : split_commas(shapes ? *shapes : kDefaultMatmulShapes)) {
    o.matmul_shapes.push_back(parse_matmul_shape(shape));
  }
  if (tokens) o.matmul_tokens = parse_lengths("--matmul-tokens", *tokens);
  if (o.matmul_tokens.empty()) throw Error(ErrorCode::kInvalidArgument, "--matmul-tokens needs a count > 0");
  if (layout) {
    if (*layout == "gpu") {
      o.matmul_gemv_layout = kernels::GemvLayout::kSubgroupPerRow;
    } else if (*layout == "cpu") {
      o.matmul_gemv_layout = kernels::GemvLayout::kRowsPerSubgroup;
    } else {
      throw Error(ErrorCode::kInvalidArgument, "--gemv-layout expects gpu or cpu, got '" + *layout + "'");
    }
  }
}

OutputFormat parse_format(const std::string& text) {
  if (text == "md") return OutputFormat::kMarkdown;
  if (text == "json") return OutputFormat::kJson;
  if (text == "csv") return OutputFormat::kCsv;
  throw Error(ErrorCode::kInvalidArgument, "-o expects md, json or csv, got '" + text + "'");
}

}  // namespace

const char* bench_usage() {
  return "usage: vkmoe-bench -m FILE [-p 512] [-n 128] [-r 5] [-o md|json|csv] [--warmup 1] [-ub 512]\n"
         "                   [--vram-budget SIZE | --expert-slots N] [--expert-policy lru|lfu] [--prefetch on|off]\n"
         "                   [--zero-copy on|off] [--compare-resident] [--profile]\n"
         "                   [--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--seed S]\n"
         "                   [--sweep-budget N [--sweep-csv FILE] [--plot FILE.svg]]\n"
         "       vkmoe-bench --matmul TYPE[,TYPE...] [--matmul-shapes SHAPE[,...]] [--matmul-tokens T[,...]]\n"
         "                   [--gemv-layout gpu|cpu] [-r 5] [-o md|json]\n"
         "\n"
         "  -m, --model FILE          a .gguf file or a Hugging Face folder\n"
         "  -p, --n-prompt N[,N...]   prompt-processing tests ppN: an N-token random prompt from position 0\n"
         "                            (0 = none; default 512)\n"
         "  -n, --n-gen N[,N...]      generation tests tgN: N one-token steps after a one-token prompt\n"
         "                            (0 = none; default 128)\n"
         "  -r, --repetitions R       timed runs of each test (default 5); t/s is reported as mean ± std\n"
         "  -o, --output FORMAT       md (table), json (array of objects) or csv (default md)\n"
         "      --warmup W            untimed runs of each test first (default 1)\n"
         "  -ub, --ubatch-size N      prompt tokens per GPU step (default 512)\n"
         "      --vram-budget SIZE    VRAM the model may use (512MiB, 6GiB, 0.5 or 50% of free VRAM; default\n"
         "                            all free VRAM); experts that do not fit stream from host memory\n"
         "      --expert-slots N      stream through exactly N expert slots (at least top-k)\n"
         "      --expert-policy P     lru or lfu: which cached expert a miss evicts (default lru)\n"
         "      --prefetch on|off     copy the next layer's predicted experts ahead (default on)\n"
         "      --zero-copy on|off    read one-token misses from host memory in place (default on)\n"
         "      --compare-resident    when experts stream, run every test again with all experts resident\n"
         "                            (if they fit) and print the speed ratios against it\n"
         "      --profile             time every kernel of the timed runs with GPU timestamps and print, per\n"
         "                            test and kernel family, calls, µs, bytes and GB/s per token (md, json)\n"
         "      --temp T ...          tgN steps sample their token with these settings (as vkmoe run's) and\n"
         "                            read back its candidates; the row's test reads 'tgN sampled' (default:\n"
         "                            greedy, the argmax on the GPU)\n"
         "      --sweep-budget N      instead of the tests: tgN (the -n length) at N expert-slot counts evenly\n"
         "                            spaced from top-k to all experts; a CSV row per point\n"
         "      --sweep-csv FILE      write the sweep's CSV to FILE instead of stdout\n"
         "      --plot FILE.svg       write the sweep as an SVG chart of tokens/s against VRAM used\n"
         "      --matmul TYPES        instead of a model: time the matmul kernels alone for these weight types\n"
         "                            (F16,Q4_K,...), in GB/s and as a fraction of the copy bandwidth\n"
         "      --matmul-shapes S     NxK (dense) or EeK:NxK (an expert layer: E experts, top-K); default\n"
         "                            14336x4096,4096x14336,128e8:768x2048,128e8:2048x768\n"
         "      --matmul-tokens T     tokens per matmul (default 1: decode); the forward pass's path: the GEMV\n"
         "                            up to 8 tokens on GPUs, at every count on CPU drivers\n"
         "      --gemv-layout L       the GEMV layout to time: gpu (a subgroup per row) or cpu (a subgroup\n"
         "                            taking 8 rows); default the device's\n"
         "\n"
         "Results go to stdout, progress to stderr. t/s is timed by the wall clock around each eval\n"
         "(recording, submission, GPU wait and the read-back: a prompt's last logits, a decode step's\n"
         "greedy token or sampling candidates, and the draw); the device's copy bandwidth by\n"
         "GPU timestamps around a device-to-device vkCmdCopyBuffer (bytes read + written), and the\n"
         "host-to-device bandwidth by GPU timestamps around a copy from host-visible to device-local memory.\n"
         "The device is chosen by VKMOE_DEVICE (index or name substring).\n";
}

BenchOptions parse_bench_options(const std::vector<std::string>& argv) {
  BenchOptions o;
  for (const auto& a : argv) {
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
  }
  cli::Args args(argv, {"compare-resident", "profile"});
  auto model = get_either(args, "m", "model");
  auto prompt = get_either(args, "p", "n-prompt");
  auto gen = get_either(args, "n", "n-gen");
  auto reps = get_either(args, "r", "repetitions");
  auto format = get_either(args, "o", "output");
  auto warmup = args.get("warmup");
  auto ubatch = get_either(args, "ub", "ubatch-size");
  o.experts = cli::read_expert_args(args);
  o.compare_resident = args.has_flag("compare-resident");
  o.profile = args.has_flag("profile");
  o.sampling = cli::read_sampling_args(args);
  check_sampling_params(o.sampling);
  auto sweep = args.get("sweep-budget");
  auto sweep_csv = args.get("sweep-csv");
  auto plot = args.get("plot");
  auto matmul = args.get("matmul");
  auto matmul_shapes = args.get("matmul-shapes");
  auto matmul_tokens = args.get("matmul-tokens");
  auto gemv_layout = args.get("gemv-layout");
  args.finish();

  if (matmul) {
    if (model || prompt || gen || sweep) throw Error(ErrorCode::kInvalidArgument, "--matmul times kernels without a model; drop -m, -p, -n and --sweep-budget");
    parse_matmul_options(o, *matmul, matmul_shapes, matmul_tokens, gemv_layout);
    if (reps) o.repetitions = static_cast<uint32_t>(parse_count("-r", *reps, kMaxRepetitions));
    if (o.repetitions == 0) throw Error(ErrorCode::kInvalidArgument, "-r must be at least 1");
    if (format) o.format = parse_format(*format);
    if (o.format == OutputFormat::kCsv) throw Error(ErrorCode::kInvalidArgument, "--matmul writes md or json");
    return o;
  }
  if (matmul_shapes || matmul_tokens || gemv_layout) {
    throw Error(ErrorCode::kInvalidArgument, "--matmul-shapes, --matmul-tokens and --gemv-layout need --matmul TYPES");
  }

  if (!model || model->empty()) throw Error(ErrorCode::kInvalidArgument, "missing the model: -m FILE");
  o.model_path = *model;
  if (prompt) o.prompt_lengths = parse_lengths("-p", *prompt);
  if (gen) o.gen_lengths = parse_lengths("-n", *gen);
  if (o.prompt_lengths.empty() && o.gen_lengths.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "nothing to measure: -p and -n are both 0");
  }
  if (reps) o.repetitions = static_cast<uint32_t>(parse_count("-r", *reps, kMaxRepetitions));
  if (o.repetitions == 0) throw Error(ErrorCode::kInvalidArgument, "-r must be at least 1");
  if (warmup) o.warmup = static_cast<uint32_t>(parse_count("--warmup", *warmup, kMaxRepetitions));
  if (ubatch) o.ubatch = static_cast<uint32_t>(parse_count("-ub", *ubatch, kMaxTokens));
  if (o.ubatch == 0) throw Error(ErrorCode::kInvalidArgument, "-ub must be at least 1");
  if (format) o.format = parse_format(*format);
  if (o.profile && o.format == OutputFormat::kCsv) {
    throw Error(ErrorCode::kInvalidArgument, "--profile prints md or json; -o csv has no place for it");
  }
  if (sweep) {
    o.sweep_points = static_cast<uint32_t>(parse_count("--sweep-budget", *sweep, kMaxSweepPoints));
    if (o.sweep_points < 2) throw Error(ErrorCode::kInvalidArgument, "--sweep-budget needs at least 2 points, got '" + *sweep + "'");
    // A sweep picks the slot counts itself and measures one tg length; anything else given
    // with it would be silently ignored, so it is refused.
    if (o.gen_lengths.size() != 1) throw Error(ErrorCode::kInvalidArgument, "--sweep-budget measures one tg length: give one -n N > 0");
    if (prompt && !o.prompt_lengths.empty()) throw Error(ErrorCode::kInvalidArgument, "--sweep-budget measures tg only; drop -p");
    if (format) throw Error(ErrorCode::kInvalidArgument, "--sweep-budget writes CSV; drop -o");
    if (o.experts.expert_slots > 0 || o.experts.vram_budget.bytes > 0 || o.experts.vram_budget.fraction > 0) {
      throw Error(ErrorCode::kInvalidArgument, "--sweep-budget chooses the expert slots itself; drop --vram-budget / --expert-slots");
    }
    if (o.compare_resident) throw Error(ErrorCode::kInvalidArgument, "--compare-resident does not apply to --sweep-budget");
    if (o.profile) throw Error(ErrorCode::kInvalidArgument, "--profile does not apply to --sweep-budget");
    o.prompt_lengths.clear();
  } else if (sweep_csv || plot) {
    throw Error(ErrorCode::kInvalidArgument, std::string(sweep_csv ? "--sweep-csv" : "--plot") + " needs --sweep-budget N");
  }
  if (sweep_csv) o.sweep_csv = *sweep_csv;
  if (plot) o.plot = *plot;
  if (sweep_csv && o.sweep_csv.empty()) throw Error(ErrorCode::kInvalidArgument, "--sweep-csv needs a file name");
  if (plot && o.plot.empty()) throw Error(ErrorCode::kInvalidArgument, "--plot needs a file name");
  return o;
}

}  // namespace vkmoe::bench
