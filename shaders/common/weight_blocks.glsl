// Block-wise weight decoding for the matmuls: decode_unit(row_byte, u, w) fills w with the
// UNIT elements [u * UNIT, (u + 1) * UNIT) of the row at byte `row_byte` of binding 0. Each
// call reads its bytes with 32-bit loads and decodes the scales of its block once, where
// weight_at (weight_formats.glsl) reloads them for every element; the values are the same
// bits as weight_at's (the same float32 operations in the same order).
//
// UNIT is 32 for every block format: one block, or for the 256-element K-quants one 32-element
// slice of a super-block. The float formats use UNIT = 8 and leave K % 8 trailing elements
// to weight_at; their 8-element loads take one 16-byte load when the caller says the row is
// 16-byte aligned (`aligned16`), else element loads.
#include "weight_formats.glsl"

layout(std430, binding = 0) readonly buffer WeightWords { uint w_u32[]; };
layout(std430, binding = 0) readonly buffer WeightQuads { uvec4 w_u32x4[]; };

// The 4 bytes at any byte offset, little-endian, from at most two aligned words.
uint load_u32(uint byte_offset) {
  uint i = byte_offset >> 2, shift = (byte_offset & 3u) * 8u;
  if (shift == 0u) return w_u32[i];
  return (w_u32[i] >> shift) | (w_u32[i + 1u] << (32u - shift));
}

// The 16 bytes at any byte offset, from at most five aligned words.
uvec4 load_16_bytes(uint byte_offset) {
  uint i = byte_offset >> 2, shift = (byte_offset & 3u) * 8u;
  uvec4 a = uvec4(w_u32[i], w_u32[i + 1u], w_u32[i + 2u], w_u32[i + 3u]);
  if (shift == 0u) return a;
  uvec4 b = uvec4(a.yzw, w_u32[i + 4u]);
  return (a >> shift) | (b << (32u - shift));
}

// Byte j (< 16) of a 16-byte run held as four words.
uint byte_of(uvec4 v, uint j) { return bitfieldExtract(v[j >> 2], int(8u * (j & 3u)), 8); }

#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
const uint UNIT = 8u;

void decode_unit(uint row_byte, uint u, bool aligned16, out float w[UNIT]) {
#if defined(WEIGHT_F32)
  uint first = (row_byte >> 2) + u * 8u;
  if (aligned16) {
    uvec4 a = w_u32x4[first >> 2], b = w_u32x4[(first >> 2) + 1u];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
      w[j] = uintBitsToFloat(a[j]);
      w[4u + j] = uintBitsToFloat(b[j]);
    }
  } else {
    [[unroll]] for (uint j = 0u; j < 8u; ++j) w[j] = w_f32[first + j];
  }
#else
  uint first = row_byte + u * 16u;
  uvec4 q = aligned16 ? w_u32x4[first >> 4] : load_16_bytes(first);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
#if defined(WEIGHT_F16)
    vec2 pair = unpackHalf2x16(q[j]);
#else
    vec2 pair = vec2(uintBitsToFloat(q[j] << 16), uintBitsToFloat(q[j] & 0xFFFF0000u));
#endif
    w[2u * j] = pair.x;
    w[2u * j + 1u] = pair.y;
  }
#endif
}

#else
const uint UNIT = 32u;

// The 32 nibble codes of a 16-byte run: element j < 16 is the low nibble of byte j, element
// j >= 16 the high nibble of byte j - 16 (Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, MXFP4).
void nibbles32(uint qs_byte, out uint q[32]) {
  uvec4 v = load_16_bytes(qs_byte);
  [[unroll]] for (uint j = 0u; j < 16u; ++j) {
    uint b = byte_of(v, j);
    q[j] = b & 15u;
    q[j + 16u] = b >> 4;
  }
}

// Bit j of a 32-element run of fifth bits (Q5_0, Q5_1): qh as a little-endian u32.
uint fifth_bit(uint qh, uint j) { return (qh >> j) & 1u; }

void decode_unit(uint row_byte, uint u, bool aligned16, out float w[UNIT]) {
#if defined(WEIGHT_Q8_0)
  uint b = row_byte + u * 34u;
  float d = w_half(b);
  uvec4 lo = load_16_bytes(b + 2u), hi = load_16_bytes(b + 18u);
  [[unroll]] for (uint j = 0u; j < 16u; ++j) {
    w[j] = float(bitfieldExtract(int(lo[j >> 2]), int(8u * (j & 3u)), 8)) * d;
    w[j + 16u] = float(bitfieldExtract(int(hi[j >> 2]), int(8u * (j & 3u)), 8)) * d;
  }
#elif defined(WEIGHT_Q4_0) || defined(WEIGHT_IQ4_NL)
  uint b = row_byte + u * 18u;
  float d = w_half(b);
  uint q[32];
  nibbles32(b + 2u, q);
#if defined(WEIGHT_Q4_0)
  [[unroll]] for (uint j = 0u; j < 32u; ++j) w[j] = float(int(q[j]) - 8) * d;
#else
  const int kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  [[unroll]] for (uint j = 0u; j < 32u; ++j) w[j] = d * float(kValues[q[j]]);
#endif
#elif defined(WEIGHT_Q4_1)
  uint b = row_byte + u * 20u;
  float d = w_half(b), m = w_half(b + 2u);
  uint q[32];
  nibbles32(b + 4u, q);
  [[unroll]] for (uint j = 0u; j < 32u; ++j) {
    precise float v = float(q[j]) * d + m;
    w[j] = v;
  }
#elif defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
#if defined(WEIGHT_Q5_0)
  const uint block_bytes = 22u, qh_at = 2u;
#else
  const uint block_bytes = 24u, qh_at = 4u;
#endif
  uint b = row_byte + u * block_bytes;
  float d = w_half(b);
  uint qh = load_u32(b + qh_at);
  uint q[32];
  nibbles32(b + qh_at + 4u, q);
#if defined(WEIGHT_Q5_0)
  [[unroll]] for (uint j = 0u; j < 32u; ++j) w[j] = float(int(q[j] | (fifth_bit(qh, j) << 4)) - 16) * d;
#else
  float m = w_half(b + 2u);
  [[unroll]] for (uint j = 0u; j < 32u; ++j) {
    precise float v = float(q[j] | (fifth_bit(qh, j) << 4)) * d + m;
    w[j] = v;
  }
#endif
#elif defined(WEIGHT_MXFP4)
  const int kValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
  uint b = row_byte + u * 17u;
  uint e = w_byte(b);
  float d = uintBitsToFloat(e < 2u ? (0x00200000u << e) : ((e - 1u) << 23));
  uint q[32];
  nibbles32(b + 1u, q);
  [[unroll]] for (uint j = 0u; j < 32u; ++j) w[j] = float(kValues[q[j]]) * d;
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
  // Unit u is elements 128n + 32j + l (l < 32) of super-block u / 8: 2 bits at shift 2j of
  // qs[32n + l], sub-block scale 8n + 2j + l / 16.
  uint s = u & 7u, n = s >> 2, j = s & 3u;
  uint sub = 8u * n + 2u * j;
#if defined(WEIGHT_Q2_K)
  uint b = row_byte + (u >> 3) * 84u;
  uvec4 q_lo = load_16_bytes(b + 16u + 32u * n), q_hi = load_16_bytes(b + 32u + 32u * n);
  uint scales = load_u32(b + (sub & ~3u)) >> (8u * (sub & 3u));
  float d = w_half(b + 80u), dmin = w_half(b + 82u);
  [[unroll]] for (uint h = 0u; h < 2u; ++h) {
    uint sc = (scales >> (8u * h)) & 255u;
    float dl = d * float(sc & 15u);
    float ml = dmin * float(sc >> 4);
    [[unroll]] for (uint l = 0u; l < 16u; ++l) {
      uint q = (byte_of(h == 0u ? q_lo : q_hi, l) >> (2u * j)) & 3u;
      precise float v = dl * float(q) - ml;
      w[16u * h + l] = v;
    }
  }
#else
  uint b = row_byte + (u >> 3) * 110u;
  uvec4 q_lo = load_16_bytes(b + 32u + 32u * n), q_hi = load_16_bytes(b + 48u + 32u * n);
  uvec4 m_lo = load_16_bytes(b), m_hi = load_16_bytes(b + 16u);
  float d = w_half(b + 108u);
  [[unroll]] for (uint h = 0u; h < 2u; ++h) {
    uint sc = sub + h;
    uint low = sc < 8u ? (w_byte(b + 96u + sc) & 15u) : (w_byte(b + 96u + sc - 8u) >> 4);
    uint high = (w_byte(b + 104u + (sc & 3u)) >> (2u * (sc >> 2))) & 3u;
    float dl = d * float(int(low | (high << 4)) - 32);
    [[unroll]] for (uint l = 0u; l < 16u; ++l) {
      int q = int((byte_of(h == 0u ? q_lo : q_hi, l) >> (2u * j)) & 3u);
      if (((byte_of(h == 0u ? m_lo : m_hi, l) >> (4u * n + j)) & 1u) == 0u) q -= 4;
      w[16u * h + l] = dl * float(q);
    }
  }
#endif
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  // Unit u is sub-block 2g + h of super-block u / 8: nibble h of qs[32g + l], l < 32.
#if defined(WEIGHT_Q4_K)
  const uint block_bytes = 144u, qs_at = 16u;
#else
  const uint block_bytes = 176u, qs_at = 48u;
#endif
  uint sub = u & 7u, g = sub >> 1, h = sub & 1u;
  uint b = row_byte + (u >> 3) * block_bytes;
  float sc, m;
  scale_min_k4(b + 4u, sub, sc, m);
  float d1 = w_half(b) * sc;
  float m1 = w_half(b + 2u) * m;
  uvec4 q_lo = load_16_bytes(b + qs_at + 32u * g), q_hi = load_16_bytes(b + qs_at + 32u * g + 16u);
#if defined(WEIGHT_Q5_K)
  uvec4 h_lo = load_16_bytes(b + 16u), h_hi = load_16_bytes(b + 32u);
#endif
  [[unroll]] for (uint l = 0u; l < 32u; ++l) {
    uint q = (byte_of(l < 16u ? q_lo : q_hi, l & 15u) >> (4u * h)) & 15u;
#if defined(WEIGHT_Q5_K)
    q += ((byte_of(l < 16u ? h_lo : h_hi, l & 15u) >> sub) & 1u) << 4;
#endif
    precise float v = d1 * float(q) - m1;
    w[l] = v;
  }
#elif defined(WEIGHT_Q6_K)
  // Unit u is elements 128n + 32c + l (l < 32) of super-block u / 8: nibble c / 2 of
  // ql[64n + 32(c & 1) + l], bits 2c of qh[32n + l], scale 8n + 2c + l / 16.
  uint s = u & 7u, n = s >> 2, c = s & 3u;
  uint b = row_byte + (u >> 3) * 210u;
  uint ql_at = b + 64u * n + 32u * (c & 1u), qh_at = b + 128u + 32u * n;
  uvec4 l_lo = load_16_bytes(ql_at), l_hi = load_16_bytes(ql_at + 16u);
  uvec4 h_lo = load_16_bytes(qh_at), h_hi = load_16_bytes(qh_at + 16u);
  uint scales = load_u32(b + 192u + 8u * n + 2u * c);  // int8 scales of l < 16 and l >= 16
  float d = w_half(b + 208u);
  [[unroll]] for (uint l = 0u; l < 32u; ++l) {
    uint low = (byte_of(l < 16u ? l_lo : l_hi, l & 15u) >> (4u * (c >> 1))) & 15u;
    uint high = (byte_of(l < 16u ? h_lo : h_hi, l & 15u) >> (2u * c)) & 3u;
    int q = int(low | (high << 4)) - 32;
    float sc = float(bitfieldExtract(int(scales), int(8u * (l >> 4)), 8));
    w[l] = d * sc * float(q);
  }
#endif
}
#endif
