// float -> IEEE binary16 bits, rounding to nearest even on every device (a plain
// float16_t() conversion may truncate, which would make F16 caches device-dependent).
uint16_t f32_to_f16_bits(float f) {
  uint u = floatBitsToUint(f);
  uint sign = (u >> 16) & 0x8000u;
  uint a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return uint16_t(sign | 0x7e00u);  // NaN stays NaN
  if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds past 65504: infinity
  if (a < 0x38800000u) {
    // Subnormal or zero: count units of 2^-24 (the scaling by 2^24 is exact).
    float units = uintBitsToFloat(a) * 16777216.0;
    uint q = uint(units);
    float rem = units - float(q);
    if (rem > 0.5 || (rem == 0.5 && (q & 1u) != 0u)) ++q;
    return uint16_t(sign | q);
  }
  uint rounded = a + 0x0fffu + ((a >> 13) & 1u);
  return uint16_t(sign | ((rounded - 0x38000000u) >> 13));
}
