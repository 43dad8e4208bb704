// Block-wise weight decoding for the matmuls: decode_unit(row_byte, u, aligned16, w) fills w
// with the UNIT elements [u * UNIT, (u + 1) * UNIT) of the row at byte `row_byte` of binding
// 0. A unit is the run of a row whose bytes belong together: a 32-element block; for Q4_K and
// Q5_K the 64 elements that share 32 bytes of quants; for Q6_K the 128 elements that share
// their high bits and scales. Each call reads every 32-bit word of its unit once and decodes
// the scales once, where weight_at (weight_formats.glsl) reloads them for every element; the
// values are the same bits as weight_at's (the same float32 operations in the same order).
//
// Loads are what a CPU driver pays for (lavapipe loads lane by lane, whatever the width), so
// everything is read as whole words (64-bit ones with WIDE_LOADS), never bytes or halves.
//
// The float formats use UNIT = 8 and leave K % 8 trailing elements to weight_at; their 8
// elements take one 16-byte load when the caller says the row is 16-byte aligned
// (`aligned16`), else word loads.
#include "weight_formats.glsl"

layout(std430, binding = 0) readonly buffer WeightWords { uint w_u32[]; };
layout(std430, binding = 0) readonly buffer WeightQuads { uvec4 w_u32x4[]; };
#if defined(GLU)
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightWords { uint up_u32[]; };
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightQuads { uvec4 up_u32x4[]; };
#endif

// Loads past the binding's last whole word (a funnel shift reads the word after a unit's last
// byte) are clamped to it; a binding whose size is not a whole number of words (rows of 34-,
// 18- or 110-byte blocks) ends in part of one, which such a load returns instead, read as
// halves. init_weight_loads() sets both, per matrix, once per invocation; call it first in
// main().
//
// WIDE_LOADS (the CPU-driver GEMV) reads 64-bit words, half the loads of 32-bit ones, and
// fetches them from texel views of the weight bindings (binding 16, and 18 for up; the host
// binds them: matmul_pipelines.cpp): a CPU driver fetches a texel for all lanes at once, where
// it loads a storage buffer's word lane by lane, each behind a branch. The storage views still
// give the lengths and the tail.
#if defined(WIDE_LOADS)
layout(std430, binding = 0) readonly buffer WeightWide { uint64_t w_u64[]; };
layout(binding = 16) uniform usamplerBuffer w_texels;
#if defined(GLU)
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightWide { uint64_t up_u64[]; };
layout(binding = 18) uniform usamplerBuffer up_texels;
#define WEIGHT_TEXEL(i) (g_matrix == 0u ? texelFetch(w_texels, int(i)).xy : texelFetch(up_texels, int(i)).xy)
#else
#define WEIGHT_TEXEL(i) texelFetch(w_texels, int(i)).xy
#endif
// With W_QUADS every row starts on a 16-byte boundary and the format reads only whole 16-byte
// runs at 16-byte offsets of its rows (F32, F16, BF16, Q4_K, Q5_K; the host knows): each run
// is then one 16-byte texel of binding 20 (21 for up), fetched with no shifts.
layout(constant_id = 3) const bool W_QUADS = false;
layout(binding = 20) uniform usamplerBuffer w_quads;
#if defined(GLU)
layout(binding = 21) uniform usamplerBuffer up_quads;
#define WEIGHT_QUAD(i) (g_matrix == 0u ? texelFetch(w_quads, int(i)) : texelFetch(up_quads, int(i)))
#else
#define WEIGHT_QUAD(i) texelFetch(w_quads, int(i))
#endif
uint g_last_word[WEIGHT_MATRICES];
uint64_t g_tail_word[WEIGHT_MATRICES];

void init_weight_loads() {
  [[unroll]] for (uint m = 0u; m < WEIGHT_MATRICES; ++m) {
    USE_MATRIX(m);
    uint words = uint(WEIGHT_LENGTH(w_u64, up_u64));
    g_last_word[m] = max(words, 1u) - 1u;
    g_tail_word[m] = 0ul;
    uint halves = uint(WEIGHT_LENGTH(w_u16, up_u16));
    [[unroll]] for (uint h = 0u; h < 3u; ++h) {
      if (4u * words + h < halves) g_tail_word[m] |= uint64_t(w_half_bits(8u * words + 2u * h)) << (16u * h);
    }
  }
}

uint64_t word_at(uint i) {
  uint last = g_last_word[g_matrix];
  uint64_t w = pack64(WEIGHT_TEXEL(min(i, last)));
  return i > last ? g_tail_word[g_matrix] : w;
}

// Word a:b shifted right by `shift` bits (< 64).
uint64_t funnel(uint64_t a, uint64_t b, uint shift) { return shift == 0u ? a : (a >> shift) | (b << (64u - shift)); }

// The 4 bytes at any byte offset, little-endian.
uint load_u32(uint byte_offset) {
  uint i = byte_offset >> 3, shift = (byte_offset & 7u) * 8u;
  return uint(funnel(word_at(i), word_at(i + 1u), shift));
}

// The 16 bytes at any byte offset, from three loads (one quad with W_QUADS).
uvec4 load_16_bytes(uint byte_offset) {
  if (W_QUADS) return WEIGHT_QUAD(byte_offset >> 4);
  uint i = byte_offset >> 3, shift = (byte_offset & 7u) * 8u;
  uint64_t a = word_at(i), b = word_at(i + 1u), c = word_at(i + 2u);
  return uvec4(unpack32(funnel(a, b, shift)), unpack32(funnel(b, c, shift)));
}

// The 32 bytes at any byte offset, as eight 32-bit words, from five loads (two quads with
// W_QUADS).
void load_32_bytes(uint byte_offset, out uint v[8]) {
  if (W_QUADS) {
    uvec4 a = WEIGHT_QUAD(byte_offset >> 4), b = WEIGHT_QUAD((byte_offset >> 4) + 1u);
    v = uint[8](a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w);
    return;
  }
  uint i = byte_offset >> 3, shift = (byte_offset & 7u) * 8u;
  uint64_t prev = word_at(i);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    uint64_t next = word_at(i + j + 1u);
    uvec2 pair = unpack32(funnel(prev, next, shift));
    v[2u * j] = pair.x;
    v[2u * j + 1u] = pair.y;
    prev = next;
  }
}

#else
uint g_last_word[WEIGHT_MATRICES];
uint g_tail_word[WEIGHT_MATRICES];

void init_weight_loads() {
  [[unroll]] for (uint m = 0u; m < WEIGHT_MATRICES; ++m) {
    USE_MATRIX(m);
    uint words = uint(WEIGHT_LENGTH(w_u32, up_u32));
    g_last_word[m] = max(words, 1u) - 1u;
    g_tail_word[m] = uint(WEIGHT_LENGTH(w_u16, up_u16)) > 2u * words ? w_half_bits(4u * words) : 0u;
  }
}

uint word_at(uint i) {
  uint last = g_last_word[g_matrix];
  uint w = WEIGHT_READ(w_u32, up_u32, min(i, last));
  return i > last ? g_tail_word[g_matrix] : w;
}

// The 4 bytes at any byte offset, little-endian.
uint load_u32(uint byte_offset) {
  uint i = byte_offset >> 2, shift = (byte_offset & 3u) * 8u;
  uint a = word_at(i), b = word_at(i + 1u);
  return shift == 0u ? a : (a >> shift) | (b << (32u - shift));
}

// The 16 bytes at any byte offset, from five word loads.
uvec4 load_16_bytes(uint byte_offset) {
  uint i = byte_offset >> 2, shift = (byte_offset & 3u) * 8u;
  uvec4 a = uvec4(word_at(i), word_at(i + 1u), word_at(i + 2u), word_at(i + 3u));
  uvec4 b = uvec4(a.yzw, word_at(i + 4u));
  return shift == 0u ? a : (a >> shift) | (b << (32u - shift));
}

// The 32 bytes at any byte offset, as eight words, from nine word loads.
void load_32_bytes(uint byte_offset, out uint v[8]) {
  uint i = byte_offset >> 2, shift = (byte_offset & 3u) * 8u;
  uint prev = word_at(i);
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    uint next = word_at(i + j + 1u);
    v[j] = shift == 0u ? prev : (prev >> shift) | (next << (32u - shift));
    prev = next;
  }
}
#endif

// Byte j (< 32) of a 32-byte run held as eight words.
uint byte_of8(uint v[8], uint j) { return bitfieldExtract(v[j >> 2], int(8u * (j & 3u)), 8); }

// Byte j (< 16) of a 16-byte run held as four words.
uint byte_of(uvec4 v, uint j) { return bitfieldExtract(v[j >> 2], int(8u * (j & 3u)), 8); }

#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
const uint UNIT = 8u;
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
const uint UNIT = 64u;
#elif defined(WEIGHT_Q6_K)
const uint UNIT = 128u;
#else
const uint UNIT = 32u;
#endif

#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)

void decode_unit(uint row_byte, uint u, bool aligned16, out float w[UNIT]) {
#if defined(WIDE_LOADS)
  const bool quad_load = false;  // load_16_bytes and load_32_bytes fetch quads there (W_QUADS)
#else
  const bool quad_load = aligned16;
#endif
#if defined(WEIGHT_F32)
  uint first = row_byte + u * 32u;
  uint v[8];
  if (quad_load) {
    uvec4 a = WEIGHT_READ(w_u32x4, up_u32x4, first >> 4), b = WEIGHT_READ(w_u32x4, up_u32x4, (first >> 4) + 1u);
    v = uint[8](a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w);
  } else {
    load_32_bytes(first, v);
  }
  [[unroll]] for (uint j = 0u; j < 8u; ++j) w[j] = uintBitsToFloat(v[j]);
#else
  uint first = row_byte + u * 16u;
  uvec4 q = quad_load ? WEIGHT_READ(w_u32x4, up_u32x4, first >> 4) : load_16_bytes(first);
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
  uvec4 scales = load_16_bytes(b);
  vec2 d_dmin = unpackHalf2x16(load_u32(b + 80u));
  float d = d_dmin.x, dmin = d_dmin.y;
  [[unroll]] for (uint h = 0u; h < 2u; ++h) {
    uint sc = byte_of(scales, sub + h);
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
  uvec4 tail = load_16_bytes(b + 94u);  // the block's last 16 bytes: 2 of qs, scales[12], half d
  float d = unpackHalf2x16(tail.w >> 16).x;
  [[unroll]] for (uint h = 0u; h < 2u; ++h) {
    uint sc = sub + h;
    uint low = sc < 8u ? (byte_of(tail, 2u + sc) & 15u) : (byte_of(tail, 2u + sc - 8u) >> 4);
    uint high = (byte_of(tail, 10u + (sc & 3u)) >> (2u * (sc >> 2))) & 3u;
    float dl = d * float(int(low | (high << 4)) - 32);
    [[unroll]] for (uint l = 0u; l < 16u; ++l) {
      int q = int((byte_of(h == 0u ? q_lo : q_hi, l) >> (2u * j)) & 3u);
      if (((byte_of(h == 0u ? m_lo : m_hi, l) >> (4u * n + j)) & 1u) == 0u) q -= 4;
      w[16u * h + l] = dl * float(q);
    }
  }
#endif
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  // Unit u is elements 64g + 32h + l (h < 2, l < 32) of super-block u / 4: nibble h of
  // qs[32g + l], in sub-block 2g + h.
#if defined(WEIGHT_Q4_K)
  const uint block_bytes = 144u, qs_at = 16u;
#else
  const uint block_bytes = 176u, qs_at = 48u;
#endif
  uint g = u & 3u;
  uint b = row_byte + (u >> 2) * block_bytes;
  uvec4 head = load_16_bytes(b);  // half d, half dmin, scales[12]
  vec2 d_dmin = unpackHalf2x16(head.x);
  uint qs[8];
  load_32_bytes(b + qs_at + 32u * g, qs);
#if defined(WEIGHT_Q5_K)
  uint qh[8];  // bit 2g + h of qh[l] is the fifth bit
  load_32_bytes(b + 16u, qh);
#endif
  [[unroll]] for (uint h = 0u; h < 2u; ++h) {
    // The 6-bit scale and min of sub-block j, packed in scales[12] as ggml's get_scale_min_k4.
    uint j = 2u * g + h;
    float sc, m;
    if (j < 4u) {
      sc = float(byte_of(head, 4u + j) & 63u);
      m = float(byte_of(head, 8u + j) & 63u);
    } else {
      sc = float((byte_of(head, 8u + j) & 15u) | ((byte_of(head, j) >> 6) << 4));
      m = float((byte_of(head, 8u + j) >> 4) | ((byte_of(head, 4u + j) >> 6) << 4));
    }
    float d1 = d_dmin.x * sc;
    float m1 = d_dmin.y * m;
    [[unroll]] for (uint l = 0u; l < 32u; ++l) {
      uint q = (byte_of8(qs, l) >> (4u * h)) & 15u;
#if defined(WEIGHT_Q5_K)
      q += ((byte_of8(qh, l) >> j) & 1u) << 4;
#endif
      precise float v = d1 * float(q) - m1;
      w[32u * h + l] = v;
    }
  }
#elif defined(WEIGHT_Q6_K)
  // Unit u is half n of super-block u / 2: elements 128n + 32c + l (c < 4, l < 32) take nibble
  // c / 2 of ql[64n + 32(c & 1) + l], bits 2c of qh[32n + l] and int8 scale 8n + 2c + l / 16.
  uint n = u & 1u;
  uint b = row_byte + (u >> 1) * 210u;
  uint ql0[8], ql1[8], qh[8];
  load_32_bytes(b + 64u * n, ql0);
  load_32_bytes(b + 64u * n + 32u, ql1);
  load_32_bytes(b + 128u + 32u * n, qh);
  uvec4 scales = load_16_bytes(b + 192u + 8u * n);  // the first 8 bytes are this half's scales
  float d = w_half(b + 208u);
  [[unroll]] for (uint c = 0u; c < 4u; ++c) {
    [[unroll]] for (uint l = 0u; l < 32u; ++l) {
      uint low = (byte_of8((c & 1u) == 0u ? ql0 : ql1, l) >> (4u * (c >> 1))) & 15u;
      uint high = (byte_of8(qh, l) >> (2u * c)) & 3u;
      int q = int(low | (high << 4)) - 32;
      uint sc_byte = 2u * c + (l >> 4);
      float sc = float(bitfieldExtract(int(scales[sc_byte >> 2]), int(8u * (sc_byte & 3u)), 8));
      w[32u * c + l] = d * sc * float(q);
    }
  }
#endif
}
#endif
