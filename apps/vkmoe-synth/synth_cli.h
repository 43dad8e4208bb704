#pragma once
// vkmoe-synth's command line: usage text and the checked options.
#include <string>
#include <vector>

#include "apps/vkmoe-synth/synth_writer.h"

namespace vkmoe::synth {

void print_usage();
// Throws Error(kInvalidArgument) with a one-line message for an unknown shape or type (listing
// the valid ones), a type that does not fit the shape, or --layers out of range.
SynthOptions parse_synth_options(const std::vector<std::string>& argv);

}  // namespace vkmoe::synth
