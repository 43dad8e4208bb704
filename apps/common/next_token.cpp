#include "apps/common/next_token.h"

namespace vkmoe::cli {

uint32_t eval_next_token(Session& session, Sampler& sampler, std::span<const uint32_t> tokens,
                         std::span<const uint32_t> generated) {
  if (sampler.greedy()) return session.eval_greedy(tokens);
  if (const auto request = sampler.candidate_request(generated)) {
    if (const auto token = sampler.sample_candidates(session.eval_candidates(tokens, *request), generated)) return *token;
    return sampler.sample(session.last_logits(), generated);
  }
  return sampler.sample(session.eval(tokens), generated);
}

}  // namespace vkmoe::cli
