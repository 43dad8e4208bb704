#include "apps/common/next_token.h"

namespace vkmoe::cli {

uint32_t eval_next_token(Session& session, Sampler& sampler, std::span<const uint32_t> tokens,
                         std::span<const uint32_t> generated) {
  if (sampler.greedy()) return session.eval_greedy(tokens);
  return sampler.sample(session.eval(tokens), generated);
}

}  // namespace vkmoe::cli
