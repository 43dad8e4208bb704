#include "apps/vkmoe-bench/speed_test.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "apps/common/next_token.h"
#include "engine/model/session.h"

namespace vkmoe::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<uint32_t> random_tokens(std::mt19937& rng, uint32_t n_vocab, uint32_t count) {
  std::uniform_int_distribution<uint32_t> pick(0, n_vocab - 1);
  std::vector<uint32_t> ids(count);
  for (auto& id : ids) id = pick(rng);
  return ids;
}

// One run of the test; returns the timed seconds.
double run_once(Session& session, const SpeedTest& test, const SamplingParams& sampling, std::mt19937& rng,
                uint32_t n_vocab) {
  session.reset();
  if (test.kind == SpeedTest::Kind::kPrompt) {
    std::vector<uint32_t> prompt = random_tokens(rng, n_vocab, test.n_tokens);
    auto t0 = Clock::now();
    session.eval(prompt);
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }
  std::vector<uint32_t> ids = random_tokens(rng, n_vocab, test.n_tokens + 1);
  // A decode step reads back what its sampler needs (greedy: the argmax taken on the GPU) and
  // draws; the steps still feed the random ids, so every setting does the same model work.
  Sampler sampler(sampling);
  std::vector<uint32_t> drawn;
  drawn.push_back(cli::eval_next_token(session, sampler, std::span(ids.data(), 1), drawn));
  auto t0 = Clock::now();
  for (uint32_t i = 1; i <= test.n_tokens; ++i) {
    drawn.push_back(cli::eval_next_token(session, sampler, std::span(ids.data() + i, 1), drawn));
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

double SpeedResult::expert_hit_rate() const {
  return experts.uses == 0 ? 1.0 : double(experts.hits) / double(experts.uses);
}

uint64_t SpeedResult::expert_bytes_streamed() const { return experts.bytes_copied + experts.bytes_zero_copy; }

double SpeedResult::expert_bytes_per_token() const {
  return tokens_evaluated == 0 ? 0 : double(expert_bytes_streamed()) / double(tokens_evaluated);
}

std::string SpeedTest::name() const { return (kind == Kind::kPrompt ? "pp" : "tg") + std::to_string(n_tokens); }

SpeedResult run_speed_test(const Model& model, const SpeedTest& test, const SpeedRun& run,
                           const std::function<void(uint32_t, double)>& progress) {
  // The session holds exactly this test's context, as llama-bench sizes its context per test.
  SessionOptions options;
  if (test.kind == SpeedTest::Kind::kPrompt) {
    options.max_ctx = test.n_tokens;
    options.max_tokens = std::min(test.n_tokens, run.ubatch);
  } else {
    options.max_ctx = test.n_tokens + 1;
    options.max_tokens = 1;
  }
  options.profile = run.profile;
  Session session(model, options);
  std::mt19937 rng(test.n_tokens * 2 + (test.kind == SpeedTest::Kind::kPrompt ? 0 : 1));
  const uint32_t n_vocab = model.config().n_vocab;

  for (uint32_t i = 0; i < run.warmup; ++i) run_once(session, test, run.sampling, rng, n_vocab);
  if (ExpertStore* store = model.experts()) store->reset_stats();
  if (StepProfile* profile = session.profile()) *profile = {};
  SpeedResult result;
  for (uint32_t i = 0; i < run.repetitions; ++i) {
    double seconds = run_once(session, test, run.sampling, rng, n_vocab);
    double tps = test.n_tokens / seconds;
    result.tokens_per_second.push_back(tps);
    if (progress) progress(i, tps);
    result.tokens_evaluated += test.kind == SpeedTest::Kind::kPrompt ? test.n_tokens : test.n_tokens + 1;
  }
  if (const ExpertStore* store = model.experts()) result.experts = store->stats().total();
  result.device_local_bytes = model.context().allocator().stats().device_local_bytes;
  if (const StepProfile* profile = session.profile()) result.profile = *profile;
  return result;
}

}  // namespace vkmoe::bench
