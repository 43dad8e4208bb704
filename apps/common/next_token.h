#pragma once
// The next token after feeding `tokens` to a session: the greedy token taken on the GPU when
// the sampler is plain greedy (only its index is read back), else a draw from the candidates
// its cuts can keep (the whole logits row only when they do not settle it, or when every
// token may be drawn).
#include <cstdint>
#include <span>

#include "engine/model/session.h"
#include "engine/sampler/sampler.h"

namespace vkmoe::cli {

// `generated`: the tokens generated so far (the repetition penalty looks at them).
uint32_t eval_next_token(Session& session, Sampler& sampler, std::span<const uint32_t> tokens,
                         std::span<const uint32_t> generated);

}  // namespace vkmoe::cli
