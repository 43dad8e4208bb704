#pragma once
// The sampling flags shared by `vkmoe run` and `vkmoe chat`.
#include "apps/common/args.h"
#include "engine/sampler/sampler.h"

namespace vkmoe::cli {

inline constexpr const char* kSamplingUsage =
    "[--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--seed S]";

SamplingParams read_sampling_args(Args& args);

}  // namespace vkmoe::cli
