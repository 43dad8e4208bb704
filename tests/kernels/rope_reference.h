#pragma once
// Rotary embedding in double, written from transformers' rope init functions: the oracle for
// the rope kernel and for the fused attention-inputs kernel.
#include <cstdint>
#include <vector>

#include "engine/kernels/rope.h"

namespace vkmoe::test {

// x and the result are (T, heads, head_dim), contiguous; T = positions.size().
std::vector<float> rope_reference(const std::vector<float>& x, const std::vector<uint32_t>& positions, uint32_t heads,
                                  uint32_t head_dim, const kernels::RopeConfig& config);

}  // namespace vkmoe::test
