#include "apps/vkmoe-bench/bench_options.h"

#include <optional>

#include "apps/common/args.h"
#include "loader/base/error.h"

namespace vkmoe::bench {
namespace {

constexpr uint64_t kMaxTokens = 1u << 20;
constexpr uint64_t kMaxRepetitions = 10000;

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

OutputFormat parse_format(const std::string& text) {
  if (text == "md") return OutputFormat::kMarkdown;
  if (text == "json") return OutputFormat::kJson;
  if (text == "csv") return OutputFormat::kCsv;
  throw Error(ErrorCode::kInvalidArgument, "-o expects md, json or csv, got '" + text + "'");
}

}  // namespace

const char* bench_usage() {
  return "usage: vkmoe-bench -m FILE [-p 512] [-n 128] [-r 5] [-o md|json|csv] [--warmup 1] [-ub 512]\n"
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
         "\n"
         "Results go to stdout, progress to stderr. t/s is timed by the wall clock around each eval\n"
         "(recording, submission, GPU wait and the logits read-back); the device's copy bandwidth by\n"
         "GPU timestamps around a device-to-device vkCmdCopyBuffer (bytes read + written).\n"
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
  cli::Args args(argv);
  auto model = get_either(args, "m", "model");
  auto prompt = get_either(args, "p", "n-prompt");
  auto gen = get_either(args, "n", "n-gen");
  auto reps = get_either(args, "r", "repetitions");
  auto format = get_either(args, "o", "output");
  auto warmup = args.get("warmup");
  auto ubatch = get_either(args, "ub", "ubatch-size");
  args.finish();

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
  return o;
}

}  // namespace vkmoe::bench
