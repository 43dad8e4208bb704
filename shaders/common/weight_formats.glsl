// Weight matrices as GGUF stores them: N rows of K elements, each row a run of blocks
// (`row_bytes` bytes per row). weight_at(row_byte, k) decodes element k of the row that
// starts at byte `row_byte` of binding 0, in registers, exactly as ggml's dequantize_row_*
// does (float32, same operation order; `precise` keeps d·q − m from fusing into an FMA).
//
// One define per shader variant picks the format: WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16,
// WEIGHT_Q8_0, WEIGHT_Q4_0, WEIGHT_Q4_1, WEIGHT_Q5_0, WEIGHT_Q5_1, WEIGHT_IQ4_NL,
// WEIGHT_MXFP4, WEIGHT_Q2_K, WEIGHT_Q3_K, WEIGHT_Q4_K, WEIGHT_Q5_K, WEIGHT_Q6_K.
//
// Blocks are not 4-byte aligned (Q4_0 blocks are 18 bytes), so binding 0 is also viewed as
// bytes and as 16-bit halves; every half field of every format sits at an even offset of its
// block, and rows start at even offsets (F32 rows at multiples of 4).

layout(std430, binding = 0) readonly buffer WeightBytes { uint8_t w_u8[]; };
layout(std430, binding = 0) readonly buffer WeightHalves { uint16_t w_u16[]; };
layout(std430, binding = 0) readonly buffer WeightFloats { float w_f32[]; };

// The gated GEMV (GLU in matmul_gemv.comp) decodes two matrices of one format: gate at binding
// 0 and up at binding UP_WEIGHT_BINDING. Every read of weight bytes goes through
// WEIGHT_READ(binding-0 array, up array, index), which reads the matrix g_matrix names. The
// shader sets it with USE_MATRIX(constant) before each decode, so compilers fold the choice
// away; without GLU it is binding 0 alone.
#if defined(GLU)
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightBytes { uint8_t up_u8[]; };
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightHalves { uint16_t up_u16[]; };
layout(std430, binding = UP_WEIGHT_BINDING) readonly buffer UpWeightFloats { float up_f32[]; };
const uint WEIGHT_MATRICES = 2u;
uint g_matrix = 0u;  // 0: gate, 1: up
#define USE_MATRIX(m) g_matrix = (m)
#define WEIGHT_READ(gate_array, up_array, i) (g_matrix == 0u ? gate_array[i] : up_array[i])
// 8- and 16-bit elements widen before the choice: a choice between narrow values would need
// the Int8/Int16 shader capabilities, which vkmoe does not require.
#define WEIGHT_READ_NARROW(gate_array, up_array, i) (g_matrix == 0u ? uint(gate_array[i]) : uint(up_array[i]))
#define WEIGHT_LENGTH(gate_array, up_array) (g_matrix == 0u ? gate_array.length() : up_array.length())
#else
const uint WEIGHT_MATRICES = 1u;
const uint g_matrix = 0u;
#define USE_MATRIX(m)
#define WEIGHT_READ(gate_array, up_array, i) gate_array[i]
#define WEIGHT_READ_NARROW(gate_array, up_array, i) uint(gate_array[i])
#define WEIGHT_LENGTH(gate_array, up_array) gate_array.length()
#endif

uint w_byte(uint byte_offset) { return WEIGHT_READ_NARROW(w_u8, up_u8, byte_offset); }
int w_signed_byte(uint byte_offset) { return bitfieldExtract(int(w_byte(byte_offset)), 0, 8); }
uint w_half_bits(uint byte_offset) { return WEIGHT_READ_NARROW(w_u16, up_u16, byte_offset >> 1); }
float w_half(uint byte_offset) { return unpackHalf2x16(w_half_bits(byte_offset)).x; }

// Nibble j (< 32) of a 16-byte run: the low nibble of byte j is element j, the high nibble
// of byte j - 16 is element j (Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, MXFP4).
uint nibble32(uint qs_byte, uint j) {
  uint b = w_byte(qs_byte + (j & 15u));
  return j < 16u ? (b & 15u) : (b >> 4);
}

// Q4_K / Q5_K: 6-bit scale and min of sub-block j (< 8) from the 12 packed bytes at `s`.
void scale_min_k4(uint s, uint j, out float sc, out float m) {
  if (j < 4u) {
    sc = float(w_byte(s + j) & 63u);
    m = float(w_byte(s + j + 4u) & 63u);
  } else {
    sc = float((w_byte(s + j + 4u) & 15u) | ((w_byte(s + j - 4u) >> 6) << 4));
    m = float((w_byte(s + j + 4u) >> 4) | ((w_byte(s + j) >> 6) << 4));
  }
}

float weight_at(uint row_byte, uint k) {
#if defined(WEIGHT_F32)
  return WEIGHT_READ(w_f32, up_f32, (row_byte >> 2) + k);
#elif defined(WEIGHT_F16)
  return w_half(row_byte + 2u * k);
#elif defined(WEIGHT_BF16)
  return uintBitsToFloat(w_half_bits(row_byte + 2u * k) << 16);
#elif defined(WEIGHT_Q8_0)
  // 34 bytes: half d; int8 qs[32].
  uint b = row_byte + (k >> 5) * 34u;
  return float(w_signed_byte(b + 2u + (k & 31u))) * w_half(b);
#elif defined(WEIGHT_Q4_0)
  // 18 bytes: half d; u8 qs[16].
  uint b = row_byte + (k >> 5) * 18u;
  return float(int(nibble32(b + 2u, k & 31u)) - 8) * w_half(b);
#elif defined(WEIGHT_Q4_1)
  // 20 bytes: half d; half m; u8 qs[16].
  uint b = row_byte + (k >> 5) * 20u;
  precise float w = float(nibble32(b + 4u, k & 31u)) * w_half(b) + w_half(b + 2u);
  return w;
#elif defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
  // Q5_0, 22 bytes: half d; u8 qh[4]; u8 qs[16]. Q5_1, 24 bytes: half d; half m; qh; qs.
  // Bit j of qh (little-endian u32) is the fifth bit of element j.
#if defined(WEIGHT_Q5_0)
  const uint block_bytes = 22u, qh_at = 2u;
#else
  const uint block_bytes = 24u, qh_at = 4u;
#endif
  uint b = row_byte + (k >> 5) * block_bytes;
  uint j = k & 31u;
  uint high = (w_byte(b + qh_at + (j >> 3)) >> (j & 7u)) & 1u;
  uint q = nibble32(b + qh_at + 4u, j) | (high << 4);
#if defined(WEIGHT_Q5_0)
  return float(int(q) - 16) * w_half(b);
#else
  precise float w = float(q) * w_half(b) + w_half(b + 2u);
  return w;
#endif
#elif defined(WEIGHT_IQ4_NL)
  // 18 bytes: half d; u8 qs[16]; each nibble indexes a non-linear table.
  const int kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  uint b = row_byte + (k >> 5) * 18u;
  return w_half(b) * float(kValues[nibble32(b + 2u, k & 31u)]);
#elif defined(WEIGHT_MXFP4)
  // 17 bytes: u8 e (E8M0 scale); u8 qs[16] of E2M1 codes. The table holds twice the E2M1
  // value, so the scale is 2^(e-128); e < 2 gives the denormals ggml uses.
  const int kValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
  uint b = row_byte + (k >> 5) * 17u;
  uint e = w_byte(b);
  float d = uintBitsToFloat(e < 2u ? (0x00200000u << e) : ((e - 1u) << 23));
  return float(kValues[nibble32(b + 1u, k & 31u)]) * d;
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
  // 256 elements; element 128n + 32j + 16h + l takes 2 bits at shift 2j of
  // qs[32n + 16h + l] and sub-block scale 8n + 2j + h.
  uint r = k & 255u;
  uint n = r >> 7, j = (r >> 5) & 3u, h = (r >> 4) & 1u, l = r & 15u;
  uint sub = 8u * n + 2u * j + h;
#if defined(WEIGHT_Q2_K)
  // 84 bytes: u8 scales[16]; u8 qs[64]; half d; half dmin.
  uint b = row_byte + (k >> 8) * 84u;
  uint q = (w_byte(b + 16u + 32u * n + 16u * h + l) >> (2u * j)) & 3u;
  uint s = w_byte(b + sub);
  float dl = w_half(b + 80u) * float(s & 15u);
  float ml = w_half(b + 82u) * float(s >> 4);
  precise float w = dl * float(q) - ml;
  return w;
#else
  // 110 bytes: u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d. Scales are 6-bit, stored as
  // 4 low bits (two per byte) and 2 high bits (four per byte), biased by 32.
  uint b = row_byte + (k >> 8) * 110u;
  int q = int((w_byte(b + 32u + 32u * n + 16u * h + l) >> (2u * j)) & 3u);
  if (((w_byte(b + 16u * h + l) >> (4u * n + j)) & 1u) == 0u) q -= 4;
  uint low = sub < 8u ? (w_byte(b + 96u + sub) & 15u) : (w_byte(b + 96u + sub - 8u) >> 4);
  uint high = (w_byte(b + 104u + (sub & 3u)) >> (2u * (sub >> 2))) & 3u;
  float dl = w_half(b + 108u) * float(int(low | (high << 4)) - 32);
  return dl * float(q);
#endif
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  // Q4_K, 144 bytes: half d; half dmin; u8 scales[12]; u8 qs[128].
  // Q5_K, 176 bytes: the same with u8 qh[32] before qs.
  // Element 64g + 32h + l is nibble h of qs[32g + l], in sub-block 2g + h.
#if defined(WEIGHT_Q4_K)
  const uint block_bytes = 144u, qs_at = 16u;
#else
  const uint block_bytes = 176u, qs_at = 48u;
#endif
  uint b = row_byte + (k >> 8) * block_bytes;
  uint r = k & 255u;
  uint g = r >> 6, h = (r >> 5) & 1u, l = r & 31u;
  uint q = (w_byte(b + qs_at + 32u * g + l) >> (4u * h)) & 15u;
#if defined(WEIGHT_Q5_K)
  q += ((w_byte(b + 16u + l) >> (2u * g + h)) & 1u) << 4;
#endif
  float sc, m;
  scale_min_k4(b + 4u, 2u * g + h, sc, m);
  float d1 = w_half(b) * sc;
  float m1 = w_half(b + 2u) * m;
  precise float w = d1 * float(q) - m1;
  return w;
#elif defined(WEIGHT_Q6_K)
  // 210 bytes: u8 ql[128]; u8 qh[64]; int8 scales[16]; half d. In half n (128 elements),
  // element 32c + l (c < 4, l < 32) takes nibble c/2 of ql[64n + 32(c&1) + l], bits 2c..2c+1
  // of qh[32n + l], and scale 8n + 2c + l/16.
  uint b = row_byte + (k >> 8) * 210u;
  uint r = k & 255u;
  uint n = r >> 7, c = (r >> 5) & 3u, l = r & 31u;
  uint low = (w_byte(b + 64u * n + 32u * (c & 1u) + l) >> (4u * (c >> 1))) & 15u;
  uint high = (w_byte(b + 128u + 32u * n + l) >> (2u * c)) & 3u;
  int q = int(low | (high << 4)) - 32;
  float sc = float(w_signed_byte(b + 192u + 8u * n + 2u * c + (l >> 4)));
  return w_half(b + 208u) * sc * float(q);
#else
#error "weight_formats.glsl needs one WEIGHT_<format> define"
#endif
}
