#include "engine/kernels/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

// Pair index whose wavelength fits `rotations` times into the original context.
double correction_dim(double rotations, uint32_t n_rot, double base, uint32_t original_context) {
  return n_rot * std::log(original_context / (rotations * 2.0 * std::numbers::pi)) / (2.0 * std::log(base));
}

uint64_t span_floats(uint32_t tokens, uint32_t heads, uint32_t head_dim, uint32_t token_stride, uint32_t head_stride) {
  return uint64_t(tokens - 1) * token_stride + uint64_t(heads - 1) * head_stride + head_dim;
}

}  // namespace

YarnRange yarn_correction_range(const RopeConfig& c) {
  double low = correction_dim(c.beta_fast, c.n_rot, c.base, c.original_context);
  double high = correction_dim(c.beta_slow, c.n_rot, c.base, c.original_context);
  if (c.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, double(c.n_rot) - 1.0);
  if (low == high) high += 0.001;  // transformers' guard against a zero-width ramp
  return {low, high};
}

RopeFrequencies make_rope_frequencies(const RopeConfig& c, uint32_t head_dim) {
  if (c.n_rot == 0 || c.n_rot % 2 != 0 || c.n_rot > head_dim) {
    throw Error(ErrorCode::kInternal, "rope: n_rot " + std::to_string(c.n_rot) + " must be even and in (0, head_dim " +
                                          std::to_string(head_dim) + "]");
  }
  if (!(c.base > 1.0) || !(c.factor > 0.0)) throw Error(ErrorCode::kInternal, "rope: base must be > 1 and factor > 0");
  RopeFrequencies f{};
  f.n_rot = c.n_rot;
  f.neox = c.style == RopeStyle::kNeox ? 1u : 0u;
  f.log2_theta_step = static_cast<float>(2.0 * std::log2(c.base) / c.n_rot);
  f.freq_scale = 1.0f;
  f.ext_factor = 0.0f;
  f.corr_low = 0.0f;
  f.corr_high = 1.0f;
  f.attn_factor = 1.0f;
  if (c.scaling == RopeScaling::kLinear) {
    f.freq_scale = static_cast<float>(1.0 / c.factor);
  } else if (c.scaling == RopeScaling::kYarn) {
    if (c.original_context == 0) throw Error(ErrorCode::kInternal, "rope: YaRN needs the original context length");
    YarnRange r = yarn_correction_range(c);
    f.freq_scale = static_cast<float>(1.0 / c.factor);
    f.ext_factor = static_cast<float>(c.ext_factor);
    f.corr_low = static_cast<float>(r.low);
    f.corr_high = static_cast<float>(r.high);
    double mscale = c.factor <= 1.0 ? 1.0 : 0.1 * std::log(c.factor) + 1.0;
    f.attn_factor = static_cast<float>(c.attn_factor > 0.0 ? c.attn_factor : mscale);
  }
  return f;
}

RopePush make_rope_push(const RopeConfig& c, const RopeShape& s) {
  RopePush p{};
  p.tokens = s.tokens;
  p.heads = s.heads;
  p.head_dim = s.head_dim;
  p.in_head_stride = s.in_head_stride ? s.in_head_stride : s.head_dim;
  p.in_token_stride = s.in_token_stride ? s.in_token_stride : s.heads * p.in_head_stride;
  p.out_head_stride = s.out_head_stride ? s.out_head_stride : s.head_dim;
  p.out_token_stride = s.out_token_stride ? s.out_token_stride : s.heads * p.out_head_stride;
  p.rope = make_rope_frequencies(c, s.head_dim);
  return p;
}

void record_rope(vk::Context& ctx, vk::CommandBuffer& cmd, const RopeConfig& config, const RopeShape& shape,
                 const vk::BufferRange& x, const vk::BufferRange& positions, const vk::BufferRange& out) {
  if (shape.tokens == 0 || shape.heads == 0) throw Error(ErrorCode::kInternal, "rope: empty shape");
  RopePush p = make_rope_push(config, shape);
  if (p.in_head_stride < p.head_dim || p.out_head_stride < p.head_dim) throw Error(ErrorCode::kInternal, "rope: head stride below head_dim");
  uint64_t in_floats = span_floats(p.tokens, p.heads, p.head_dim, p.in_token_stride, p.in_head_stride);
  uint64_t out_floats = span_floats(p.tokens, p.heads, p.head_dim, p.out_token_stride, p.out_head_stride);
  if (x.size < in_floats * 4 || out.size < out_floats * 4 || positions.size < uint64_t(p.tokens) * 4) {
    throw Error(ErrorCode::kInternal, "rope: range too small for " + std::to_string(p.tokens) + " tokens x " +
                                          std::to_string(p.heads) + " heads x " + std::to_string(p.head_dim));
  }
  // One invocation per rotated pair plus one per passed-through dim.
  uint64_t items = uint64_t(p.tokens) * p.heads * (p.rope.n_rot / 2 + (p.head_dim - p.rope.n_rot));
  const uint32_t spec[] = {64};
  const auto& pipeline = ctx.pipelines().get({"rope", 3, sizeof(RopePush), spec});
  Grid g = grid_for_groups(ceil_div(items, spec[0]), ctx.caps());
  cmd.dispatch(pipeline, {x, positions, out}, p, g.x, g.y);
}

}  // namespace vkmoe::kernels
