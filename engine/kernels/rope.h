#pragma once
// Rotary position embedding on q or k, in place or out of place. x and out are
// (T, heads, head_dim) floats (token and head strides may be larger, e.g. a slice of a fused
// QKV row); positions is (T) uint32 on the GPU, so one recording serves decode and prefill.
// The first n_rot dims of each head are rotated, the rest are copied through.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Which dims form a rotation pair: kNormal (x[2i], x[2i+1]) as in GGUF llama/deepseek2,
// kNeox (x[i], x[i + n_rot/2]) as in transformers' rotate_half.
enum class RopeStyle : uint32_t { kNormal = 0, kNeox = 1 };
enum class RopeScaling { kNone, kLinear, kYarn };

struct RopeConfig {
  RopeStyle style = RopeStyle::kNormal;
  uint32_t n_rot = 0;           // rotated dims, even, <= head_dim
  double base = 10000.0;        // theta_i = base^(-2i/n_rot)
  RopeScaling scaling = RopeScaling::kNone;
  double factor = 1.0;          // linear: pos / factor; YaRN: interpolation factor
  // YaRN (transformers' _compute_yarn_parameters):
  uint32_t original_context = 0;  // original_max_position_embeddings
  double beta_fast = 32.0, beta_slow = 1.0;
  double ext_factor = 1.0;      // weight of the extrapolation ramp (transformers: always 1)
  double attn_factor = 0.0;     // multiplies cos and sin; 0: 0.1 * ln(factor) + 1
  bool truncate = true;         // floor/ceil the correction range (false for gpt-oss)
};

struct RopeShape {
  uint32_t tokens = 0, heads = 0, head_dim = 0;
  uint32_t in_token_stride = 0, in_head_stride = 0;    // floats; 0: contiguous
  uint32_t out_token_stride = 0, out_head_stride = 0;  // floats; 0: contiguous
};

// Mirrors RopeFrequencies in shaders/common/rope_rotation.glsl. Everything here depends only
// on the config, never on positions: angles are formed on the GPU.
struct RopeFrequencies {
  uint32_t n_rot;
  uint32_t neox;
  float log2_theta_step;  // 2 * log2(base) / n_rot: inv_freq_i = 2^(-i * step)
  float freq_scale;       // 1 / factor for linear and YaRN, else 1
  float ext_factor;       // 0: every dim interpolated; YaRN: ramp weight
  float corr_low, corr_high;  // YaRN ramp over pair index i, corr_high > corr_low
  float attn_factor;
};
static_assert(sizeof(RopeFrequencies) == 32);

// Mirrors the push block of shaders/rope.comp.
struct RopePush {
  uint32_t tokens, heads, head_dim;
  uint32_t in_token_stride, in_head_stride, out_token_stride, out_head_stride;
  RopeFrequencies rope;
};
static_assert(sizeof(RopePush) == 60);

// The YaRN correction range [low, high] over pair indices, and the cos/sin factor, as
// transformers computes them from the config.
struct YarnRange {
  double low = 0, high = 0;
};
YarnRange yarn_correction_range(const RopeConfig& config);
// Throws kInternal unless n_rot is even and in (0, head_dim] and base > 1, factor > 0.
RopeFrequencies make_rope_frequencies(const RopeConfig& config, uint32_t head_dim);
RopePush make_rope_push(const RopeConfig& config, const RopeShape& shape);

void record_rope(vk::Context& ctx, vk::CommandBuffer& cmd, const RopeConfig& config, const RopeShape& shape,
                 const vk::BufferRange& x, const vk::BufferRange& positions, const vk::BufferRange& out);

}  // namespace vkmoe::kernels
