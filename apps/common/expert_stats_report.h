#pragma once
// `vkmoe run --stats`: what the expert cache did, as a per-layer table and a total line.
#include <cstdio>

#include "engine/model/model.h"

namespace vkmoe::cli {

// Prints the placement line, then the statistics of model.experts() (layers that used no
// expert are left out), or says that every expert is resident and nothing streamed.
void print_expert_stats(std::FILE* out, const Model& model);

}  // namespace vkmoe::cli
