// Rotary embedding shared by rope.comp and attention_inputs.comp, so both rotate with the same
// operations and give the same bits. Mirrors kernels::RopeFrequencies (engine/kernels/rope.h).
//
// Angle of pair i at position p (transformers' rope init functions):
//   inv_freq_i = base^(-2i/n_rot)
//   YaRN: r = clamp((i - low) / (high - low), 0, 1), e = (1 - r) * ext_factor,
//         theta = p * inv_freq_i * (freq_scale * (1 - e) + e)
//   linear: e = 0, so theta = p * inv_freq_i / factor
// and cos/sin are multiplied by attn_factor. A head's units are its n_rot/2 rotated pairs,
// then its head_dim - n_rot dims passed through.
struct RopeFrequencies {
  uint n_rot;
  uint neox;              // pairs (x[i], x[i + n_rot/2]) instead of (x[2i], x[2i+1])
  float log2_theta_step;  // 2 * log2(base) / n_rot
  float freq_scale;
  float ext_factor;
  float corr_low;
  float corr_high;
  float attn_factor;
};

const float kTwoPi = 6.28318530717958647692;
// 2*pi split so that k * kTwoPiHi is exact for the k that occur (|k| < 2^16).
const float kTwoPiHi = 6.28125;
const float kTwoPiLo = 0.001935307179586232;

// Reduces the angle to [-pi, pi] before sin/cos: GPU sin/cos lose accuracy on large
// arguments, and positions reach tens of thousands of radians.
float reduce_angle(float a) {
  float k = round(a * (1.0 / kTwoPi));
  return (a - k * kTwoPiHi) - k * kTwoPiLo;
}

// (cos, sin) of pair i at `position`, times attn_factor.
vec2 rope_cos_sin(RopeFrequencies f, uint i, uint position) {
  float inv_freq = exp2(-float(i) * f.log2_theta_step);
  float ramp = clamp((float(i) - f.corr_low) / (f.corr_high - f.corr_low), 0.0, 1.0);
  float extrapolation = (1.0 - ramp) * f.ext_factor;
  inv_freq *= f.freq_scale * (1.0 - extrapolation) + extrapolation;
  float angle = reduce_angle(float(position) * inv_freq);
  return vec2(cos(angle) * f.attn_factor, sin(angle) * f.attn_factor);
}

// The two dims of a head that pair i rotates.
uvec2 rope_pair_dims(RopeFrequencies f, uint i) {
  return f.neox != 0u ? uvec2(i, i + f.n_rot / 2u) : uvec2(2u * i, 2u * i + 1u);
}

// (x0, x1) rotated by the angle whose (cos, sin) is cs.
vec2 rope_rotate(vec2 x, vec2 cs) { return vec2(x.x * cs.x - x.y * cs.y, x.x * cs.y + x.y * cs.x); }
