// `vkmoe run`: generate a continuation of a prompt, streaming the text, then report prompt
// and generation speed (and with --stats, what the expert cache did; with --profile, where the
// GPU time of the prompt and of the generated tokens went, per kernel family).
#include <chrono>
#include <cstdio>
#include <string>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "apps/common/demo_model.h"
#include "apps/common/copy_bandwidth.h"
#include "apps/common/expert_args.h"
#include "apps/common/expert_stats_report.h"
#include "apps/common/loaded_model.h"
#include "apps/common/next_token.h"
#include "apps/common/profile_report.h"
#include "apps/common/sampling_args.h"
#include "engine/model/session.h"
#include "loader/base/error.h"
#include "loader/tokenizer/tokenizer.h"

namespace vkmoe::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int run_generate(const std::vector<std::string>& argv) {
  Args args(argv, {"stats", "profile"});
  std::string path = args.get_or("model", demo_model_path());
  std::string prompt = args.require("prompt");
  int64_t n_predict = args.get_int("n", 64);
  std::string stop = args.get_or("stop", "");
  int64_t ctx_len = args.get_int("ctx", 0);
  SamplingParams sampling = read_sampling_args(args);
  const ExpertOptions experts = read_expert_args(args);
  bool print_stats = args.has_flag("stats");
  bool profile = args.has_flag("profile");
  args.finish();
  if (n_predict < 0) throw Error(ErrorCode::kInvalidArgument, "-n must be >= 0");
  if (ctx_len < 0) throw Error(ErrorCode::kInvalidArgument, "--ctx must be >= 0");

  SessionOptions options;
  options.max_ctx = static_cast<uint32_t>(ctx_len);
  options.profile = profile;
  LoadedModel loaded = load_model_for_cli(path, model_options_for(options, experts));
  CopyBandwidth bandwidth;
  if (profile) bandwidth = measure_copy_bandwidth(*loaded.context);
  const ModelSpec& spec = loaded.model->spec();
  if (spec.vocab.empty()) throw Error(ErrorCode::kNotFound, path + ": the model carries no tokenizer");
  Tokenizer tokenizer(spec.vocab);
  std::vector<uint32_t> ids = tokenizer.encode(prompt);
  if (ids.empty()) throw Error(ErrorCode::kInvalidArgument, "the prompt encodes to no tokens");

  Session session(*loaded.model, options);
  Sampler sampler(sampling);
  if (ExpertStore* store = loaded.model->experts()) store->reset_stats();

  auto t_prompt = Clock::now();
  uint32_t next = eval_next_token(session, sampler, ids, {});
  double prompt_s = seconds_since(t_prompt);
  StepProfile prompt_profile;
  if (profile) {
    prompt_profile = *session.profile();
    *session.profile() = {};
  }

  StreamingDecoder decoder(tokenizer, false);
  std::string text;
  std::vector<uint32_t> generated;
  auto t_gen = Clock::now();
  while (static_cast<int64_t>(generated.size()) < n_predict) {
    const uint32_t id = next;
    if (tokenizer.is_eog(id)) break;
    generated.push_back(id);
    std::string piece = decoder.push(id);
    text += piece;
    std::fputs(piece.c_str(), stdout);
    std::fflush(stdout);
    if (!stop.empty() && text.find(stop) != std::string::npos) break;
    if (session.position() >= session.max_ctx()) {
      std::fprintf(stderr, "\nvkmoe run: context of %u tokens is full\n", session.max_ctx());
      break;
    }
    next = eval_next_token(session, sampler, std::span(&id, 1), generated);
  }
  std::fputs(decoder.finish().c_str(), stdout);
  double gen_s = seconds_since(t_gen);
  std::printf("\n");
  std::fprintf(stderr, "prompt: %zu tokens in %.3f s (%.1f tokens/s); generation: %zu tokens in %.3f s (%.1f tokens/s)\n",
               ids.size(), prompt_s, ids.size() / prompt_s, generated.size(), gen_s,
               generated.empty() ? 0.0 : generated.size() / gen_s);
  if (print_stats) print_expert_stats(stderr, *loaded.model);
  if (profile) {
    write_profile_markdown(stderr, "Profile of the prompt", prompt_profile, bandwidth.bytes_per_second);
    write_profile_markdown(stderr, "Profile of the generated tokens", *session.profile(), bandwidth.bytes_per_second);
  }
  return 0;
}

const Command kRun("run",
                   std::string("[--model PATH] --prompt TEXT [-n N] [--stop TEXT] [--ctx N] [--stats] [--profile] ") + kSamplingUsage + " " +
                       kExpertUsage,
                   "generate text from a prompt, streaming it, then print prompt and generation tokens/s", run_generate,
                   "  --model PATH             default: the demo model, " + demo_model_path() + "\n" +
                   std::string("  --stats                  after generating, print the expert cache statistics to stderr:\n"
                               "                           per layer uses, hits, misses, prefetch hits, zero-copy reads,\n"
                               "                           bytes copied and time waited on copies, then the totals\n"
                               "  --profile                time every kernel with GPU timestamps and print to stderr, for the\n"
                               "                           prompt and for the generated tokens, per kernel family: calls,\n"
                               "                           µs, bytes and GB/s per token (as vkmoe-bench --profile)\n\n") +
                       kExpertHelp);

}  // namespace
}  // namespace vkmoe::cli
