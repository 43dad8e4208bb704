#pragma once
// The expert-placement flags shared by `vkmoe run`, `chat`, `logits` and vkmoe-bench: how much
// VRAM the model may use and how the expert cache runs when the experts do not all fit.
#include "apps/common/args.h"
#include "engine/experts/expert_options.h"

namespace vkmoe::cli {

inline constexpr const char* kExpertUsage =
    "[--vram-budget SIZE] [--expert-slots N] [--expert-policy lru|lfu] [--prefetch on|off] [--zero-copy on|off]";

// One line per flag, for --help.
inline constexpr const char* kExpertHelp =
    "expert placement (dense weights, KV cache and scratch are placed first; experts share the rest):\n"
    "  --vram-budget SIZE       VRAM the model may use: 512MiB, 6GiB, 1.5GB, bytes, or a fraction of the\n"
    "                           free VRAM (0.5 or 50%); default: all free VRAM. Experts that do not fit\n"
    "                           stream from host memory through a cache of VRAM slots\n"
    "  --expert-slots N         stream through exactly N expert slots (at least the model's top-k),\n"
    "                           whatever the budget; not together with --vram-budget\n"
    "  --expert-policy lru|lfu  which cached expert a miss evicts (default lru)\n"
    "  --prefetch on|off        copy the next layer's predicted experts while this layer runs (default on)\n"
    "  --zero-copy on|off       read a one-token miss from host memory in place instead of evicting a more\n"
    "                           used expert (default on)\n";

// Throws Error(kInvalidArgument) naming the flag and the bad value.
ExpertOptions read_expert_args(Args& args);

}  // namespace vkmoe::cli
