// `vkmoe chat`: a terminal conversation through the model's own chat template. The KV cache
// is kept across turns: each turn re-renders the whole conversation, and only the tokens
// after the prefix the cache already holds are evaluated.
#include <cstdio>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "apps/common/demo_model.h"
#include "apps/common/next_token.h"
#include "apps/common/expert_args.h"
#include "apps/common/loaded_model.h"
#include "apps/common/sampling_args.h"
#include "engine/model/session.h"
#include "loader/base/error.h"
#include "loader/chat/chat_template.h"
#include "loader/tokenizer/tokenizer.h"

namespace vkmoe::cli {
namespace {

std::optional<std::string> token_text(const Tokenizer& tokenizer, uint32_t id) {
  if (id == UINT32_MAX || id >= tokenizer.n_tokens()) return std::nullopt;
  return tokenizer.vocab().tokens[id];
}

size_t common_prefix(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

int run_chat(const std::vector<std::string>& argv) {
  Args args(argv);
  std::string path = args.get_or("model", demo_model_path());
  std::string system = args.get_or("system", "");
  int64_t n_predict = args.get_int("n", 512);
  int64_t ctx_len = args.get_int("ctx", 0);
  SamplingParams sampling = read_sampling_args(args);
  const ExpertOptions experts = read_expert_args(args);
  args.finish();
  if (n_predict <= 0) throw Error(ErrorCode::kInvalidArgument, "-n must be positive");
  if (ctx_len < 0) throw Error(ErrorCode::kInvalidArgument, "--ctx must be >= 0");

  SessionOptions options;
  options.max_ctx = static_cast<uint32_t>(ctx_len);
  LoadedModel loaded = load_model_for_cli(path, model_options_for(options, experts));
  const ModelSpec& spec = loaded.model->spec();
  if (spec.vocab.empty()) throw Error(ErrorCode::kNotFound, path + ": the model carries no tokenizer");
  if (spec.chat_template.empty()) throw Error(ErrorCode::kNotFound, path + ": the model has no chat template; use `vkmoe run`");
  Tokenizer tokenizer(spec.vocab);
  Session session(*loaded.model, options);
  Sampler sampler(sampling);

  ChatRequest request;
  request.bos_token = token_text(tokenizer, spec.vocab.bos);
  request.eos_token = token_text(tokenizer, spec.vocab.eos);
  if (!system.empty()) request.messages.push_back({{"role", "system"}, {"content", system}});
  std::vector<uint32_t> cached;  // the tokens the KV cache holds, in order

  std::fprintf(stderr, "type a message; an empty line or end of input quits, /reset starts over\n");
  std::string line;
  while (true) {
    std::fprintf(stderr, "\n> ");
    if (!std::getline(std::cin, line) || line.empty()) break;
    if (line == "/reset") {
      request.messages = nlohmann::ordered_json::array();
      if (!system.empty()) request.messages.push_back({{"role", "system"}, {"content", system}});
      cached.clear();
      session.reset();
      continue;
    }
    request.messages.push_back({{"role", "user"}, {"content", line}});
    request.add_generation_prompt = true;
    std::vector<uint32_t> prompt = tokenizer.encode(render_chat_template(spec.chat_template, request), false, true);
    if (prompt.empty()) throw Error(ErrorCode::kInvalidArgument, "the chat template rendered no tokens");
    size_t keep = common_prefix(cached, prompt);
    if (keep == prompt.size()) --keep;  // at least one token must be evaluated for fresh logits
    if (prompt.size() + 1 > session.max_ctx()) {
      std::fprintf(stderr, "the conversation (%zu tokens) no longer fits the context of %u; /reset to start over\n",
                   prompt.size(), session.max_ctx());
      request.messages.erase(request.messages.size() - 1);
      continue;
    }
    session.rewind(static_cast<uint32_t>(keep));
    cached.assign(prompt.begin(), prompt.end());
    StreamingDecoder decoder(tokenizer, false);
    std::string reply;
    std::vector<uint32_t> generated;
    uint32_t next = eval_next_token(session, sampler, std::span(prompt).subspan(keep), generated);
    while (static_cast<int64_t>(generated.size()) < n_predict && session.position() < session.max_ctx()) {
      const uint32_t id = next;
      if (tokenizer.is_eog(id)) break;
      generated.push_back(id);
      std::string piece = decoder.push(id);
      reply += piece;
      std::fputs(piece.c_str(), stdout);
      std::fflush(stdout);
      cached.push_back(id);
      next = eval_next_token(session, sampler, std::span(&id, 1), generated);
    }
    std::string tail = decoder.finish();
    reply += tail;
    std::fputs(tail.c_str(), stdout);
    std::fputs("\n", stdout);
    request.messages.push_back({{"role", "assistant"}, {"content", reply}});
  }
  return 0;
}

const Command kChat("chat", std::string("[--model PATH] [--system TEXT] [-n N] [--ctx N] ") + kSamplingUsage + " " + kExpertUsage,
                    "chat in the terminal with the model's chat template, keeping the KV cache across turns", run_chat,
                    "  --model PATH             default: the demo model, " + demo_model_path() + "\n" + kExpertHelp);

}  // namespace
}  // namespace vkmoe::cli
