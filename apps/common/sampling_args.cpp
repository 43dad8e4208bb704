#include "apps/common/sampling_args.h"

#include <random>

#include "loader/base/error.h"

namespace vkmoe::cli {

SamplingParams read_sampling_args(Args& args) {
  SamplingParams p;
  p.temperature = static_cast<float>(args.get_double("temp", 0.0));
  int64_t top_k = args.get_int("top-k", 0);
  if (top_k < 0) throw Error(ErrorCode::kInvalidArgument, "--top-k must be >= 0");
  p.top_k = static_cast<uint32_t>(top_k);
  p.top_p = static_cast<float>(args.get_double("top-p", 1.0));
  p.min_p = static_cast<float>(args.get_double("min-p", 0.0));
  p.repetition_penalty = static_cast<float>(args.get_double("repeat-penalty", 1.0));
  int64_t seed = args.get_int("seed", -1);
  p.seed = seed >= 0 ? static_cast<uint64_t>(seed) : std::random_device{}();
  check_sampling_params(p);  // before the model loads, so a bad flag fails at once
  return p;
}

}  // namespace vkmoe::cli
