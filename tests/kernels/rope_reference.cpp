#include "tests/kernels/rope_reference.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vkmoe::test {
namespace {

using kernels::RopeConfig;
using kernels::RopeScaling;
using kernels::RopeStyle;

// Per pair index i < n_rot/2: the inverse frequency and the cos/sin factor, written from
// transformers' modeling_rope_utils.py (_compute_default_rope_parameters,
// _compute_linear_scaling_rope_parameters, _compute_yarn_parameters), in double:
//   inv_freq_i = 1 / base^(2i/dim), dim = n_rot (partial_rotary_factor * head_dim)
//   linear: inv_freq_i / factor (same angles as position / factor)
//   yarn:   find_correction_dim(r) = dim * ln(orig_ctx / (r * 2 pi)) / (2 ln base)
//           low = fcd(beta_fast), high = fcd(beta_slow); floor(low), ceil(high) only when
//           truncate (gpt-oss sets truncate: false); low = max(low, 0); high = min(high, dim-1);
//           if low == high: high += 0.001
//           ramp_i = clamp((i - low) / (high - low), 0, 1); extrapolation_factor_i = 1 - ramp_i
//           inv_freq_i = inv_freq_i / factor * (1 - ef_i) + inv_freq_i * ef_i
//           attention_factor = 0.1 * ln(factor) + 1 multiplies cos and sin
struct ReferenceFreqs {
  std::vector<double> inv_freq;
  double attention_factor = 1.0;
};

ReferenceFreqs reference_freqs(const RopeConfig& c) {
  ReferenceFreqs r;
  const double dim = c.n_rot;
  double low = 0, high = 1;
  if (c.scaling == RopeScaling::kYarn) {
    auto fcd = [&](double rotations) {
      return dim * std::log(c.original_context / (rotations * 2 * std::numbers::pi)) / (2 * std::log(c.base));
    };
    low = fcd(c.beta_fast);
    high = fcd(c.beta_slow);
    if (c.truncate) {
      low = std::floor(low);
      high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, dim - 1);
    if (low == high) high += 0.001;
    r.attention_factor = c.attn_factor > 0 ? c.attn_factor : 0.1 * std::log(c.factor) + 1.0;
  }
  for (uint32_t i = 0; i < c.n_rot / 2; ++i) {
    double f = 1.0 / std::pow(c.base, 2.0 * i / dim);
    if (c.scaling == RopeScaling::kLinear) f /= c.factor;
    if (c.scaling == RopeScaling::kYarn) {
      double ef = 1.0 - std::clamp((i - low) / (high - low), 0.0, 1.0);
      f = f / c.factor * (1 - ef) + f * ef;
    }
    r.inv_freq.push_back(f);
  }
  return r;
}

}  // namespace

std::vector<float> rope_reference(const std::vector<float>& x, const std::vector<uint32_t>& positions, uint32_t heads,
                                  uint32_t head_dim, const RopeConfig& c) {
  ReferenceFreqs f = reference_freqs(c);
  std::vector<float> out(x);
  for (size_t t = 0; t < positions.size(); ++t) {
    for (uint32_t h = 0; h < heads; ++h) {
      size_t base = (t * heads + h) * head_dim;
      for (uint32_t i = 0; i < c.n_rot / 2; ++i) {
        double angle = double(positions[t]) * f.inv_freq[i];
        double cs = std::cos(angle) * f.attention_factor, sn = std::sin(angle) * f.attention_factor;
        size_t d0 = base + (c.style == RopeStyle::kNeox ? i : 2 * i);
        size_t d1 = base + (c.style == RopeStyle::kNeox ? i + c.n_rot / 2 : 2 * i + 1);
        double x0 = x[d0], x1 = x[d1];
        out[d0] = static_cast<float>(x0 * cs - x1 * sn);
        out[d1] = static_cast<float>(x0 * sn + x1 * cs);
      }
    }
  }
  return out;
}

}  // namespace vkmoe::test
