#pragma once
// Random tensor bytes in GGUF's block layouts (ggml's block_q8_0, block_q4_K, ...), with
// values of about N(0, 0.02) after dequantisation, so activations stay finite through many
// layers: scales are modest normal f16 numbers, quants uniform, K-quant minimums chosen to
// centre each sub-block on zero.
#include <cstdint>
#include <span>

#include "apps/vkmoe-synth/tensor_plan.h"

namespace vkmoe::synth {

// splitmix64: small, fast, and the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }

 private:
  uint64_t state_;
};

// Fills `out` (a whole number of the type's blocks; one element is one "block" for F32/F16).
void fill_random_blocks(TensorType type, Fill fill, Rng& rng, std::span<uint8_t> out);

}  // namespace vkmoe::synth
