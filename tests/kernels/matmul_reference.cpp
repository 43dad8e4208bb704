#include "tests/kernels/matmul_reference.h"

#include <bit>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "loader/base/half.h"

namespace vkmoe::test {
namespace {

float half_at(const uint8_t* p) { return f16_to_float(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

// The low nibble of qs[j] is element j, the high nibble element j + 16.
void nibbles32(const uint8_t* qs, uint8_t out[32]) {
  for (int j = 0; j < 16; ++j) {
    out[j] = qs[j] & 15;
    out[j + 16] = qs[j] >> 4;
  }
}

void decode_q8_0(const uint8_t* b, float* y) {
  float d = half_at(b);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

void decode_q4_0(const uint8_t* b, float* y) {
  float d = half_at(b);
  uint8_t q[32];
  nibbles32(b + 2, q);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q[j] - 8) * d;
}

void decode_q4_1(const uint8_t* b, float* y) {
  float d = half_at(b), m = half_at(b + 2);
  uint8_t q[32];
  nibbles32(b + 4, q);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q[j]) * d + m;
}

// Q5_0 / Q5_1: qh read as a little-endian u32, bit j is the fifth bit of element j.
void decode_q5(const uint8_t* b, float* y, bool with_min) {
  float d = half_at(b), m = with_min ? half_at(b + 2) : 0.0f;
  const uint8_t* qh_bytes = b + (with_min ? 4 : 2);
  uint32_t qh = qh_bytes[0] | (qh_bytes[1] << 8) | (qh_bytes[2] << 16) | (uint32_t(qh_bytes[3]) << 24);
  uint8_t q[32];
  nibbles32(qh_bytes + 4, q);
  for (int j = 0; j < 32; ++j) {
    int v = q[j] | (((qh >> j) & 1) << 4);
    y[j] = with_min ? static_cast<float>(v) * d + m : static_cast<float>(v - 16) * d;
  }
}

void decode_iq4_nl(const uint8_t* b, float* y) {
  static const int8_t kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  float d = half_at(b);
  uint8_t q[32];
  nibbles32(b + 2, q);
  for (int j = 0; j < 32; ++j) y[j] = d * static_cast<float>(kValues[q[j]]);
}

void decode_mxfp4(const uint8_t* b, float* y) {
  static const int8_t kValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
  uint32_t e = b[0];
  // 2^(e-128); e = 0 and 1 are the denormals 2^-128 and 2^-127.
  float d = e < 2 ? std::bit_cast<float>(0x00200000u << e) : std::bit_cast<float>((e - 1) << 23);
  uint8_t q[32];
  nibbles32(b + 1, q);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(kValues[q[j]]) * d;
}

// Q2_K (84 B): scales[16], qs[64], d, dmin. Element 128n + 32j + 16h + l.
void decode_q2_k(const uint8_t* b, float* y) {
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  float d = half_at(b + 80), dmin = half_at(b + 82);
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 4; ++j)
      for (int h = 0; h < 2; ++h) {
        uint8_t s = scales[8 * n + 2 * j + h];
        float dl = d * static_cast<float>(s & 15), ml = dmin * static_cast<float>(s >> 4);
        for (int l = 0; l < 16; ++l) {
          int q = (qs[32 * n + 16 * h + l] >> (2 * j)) & 3;
          y[128 * n + 32 * j + 16 * h + l] = dl * static_cast<float>(q) - ml;
        }
      }
}

// Q3_K (110 B): hmask[32], qs[64], scales[12] (6-bit, biased by 32), d.
void decode_q3_k(const uint8_t* b, float* y) {
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* packed = b + 96;
  float d = half_at(b + 108);
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 4; ++j)
      for (int h = 0; h < 2; ++h) {
        int i = 8 * n + 2 * j + h;
        int low = i < 8 ? (packed[i] & 15) : (packed[i - 8] >> 4);
        int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
        float dl = d * static_cast<float>((low | (high << 4)) - 32);
        for (int l = 0; l < 16; ++l) {
          int q = ((qs[32 * n + 16 * h + l] >> (2 * j)) & 3) - ((hmask[16 * h + l] >> (4 * n + j)) & 1 ? 0 : 4);
          y[128 * n + 32 * j + 16 * h + l] = dl * static_cast<float>(q);
        }
      }
}

void scale_min_k4(int j, const uint8_t* s, int& sc, int& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// Q4_K (144 B): d, dmin, scales[12], qs[128]. Q5_K (176 B): the same with qh[32] before qs.
void decode_q45_k(const uint8_t* b, float* y, bool five_bit) {
  float d = half_at(b), dmin = half_at(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + (five_bit ? 48 : 16);
  for (int g = 0; g < 4; ++g)
    for (int h = 0; h < 2; ++h) {
      int sc, m;
      scale_min_k4(2 * g + h, scales, sc, m);
      float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
      for (int l = 0; l < 32; ++l) {
        int q = h == 0 ? (qs[32 * g + l] & 15) : (qs[32 * g + l] >> 4);
        if (five_bit && ((qh[l] >> (2 * g + h)) & 1)) q += 16;
        y[64 * g + 32 * h + l] = d1 * static_cast<float>(q) - m1;
      }
    }
}

// Q6_K (210 B): ql[128], qh[64], int8 scales[16], d.
void decode_q6_k(const uint8_t* b, float* y) {
  float d = half_at(b + 208);
  for (int n = 0; n < 2; ++n) {
    const uint8_t* ql = b + 64 * n;
    const uint8_t* qh = b + 128 + 32 * n;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192 + 8 * n);
    float* out = y + 128 * n;
    for (int l = 0; l < 32; ++l) {
      int is = l / 16;
      int q1 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
      int q2 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
      int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      out[l] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
      out[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
      out[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
      out[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
    }
  }
}

void decode_block(TensorType type, const uint8_t* b, float* y) {
  switch (type) {
    case TensorType::kF32: std::memcpy(y, b, 4); return;
    case TensorType::kF16: *y = half_at(b); return;
    case TensorType::kBF16: *y = bf16_to_float(static_cast<uint16_t>(b[0] | (b[1] << 8))); return;
    case TensorType::kQ8_0: decode_q8_0(b, y); return;
    case TensorType::kQ4_0: decode_q4_0(b, y); return;
    case TensorType::kQ4_1: decode_q4_1(b, y); return;
    case TensorType::kQ5_0: decode_q5(b, y, false); return;
    case TensorType::kQ5_1: decode_q5(b, y, true); return;
    case TensorType::kIQ4_NL: decode_iq4_nl(b, y); return;
    case TensorType::kMXFP4: decode_mxfp4(b, y); return;
    case TensorType::kQ2_K: decode_q2_k(b, y); return;
    case TensorType::kQ3_K: decode_q3_k(b, y); return;
    case TensorType::kQ4_K: decode_q45_k(b, y, false); return;
    case TensorType::kQ5_K: decode_q45_k(b, y, true); return;
    case TensorType::kQ6_K: decode_q6_k(b, y); return;
    default: throw std::invalid_argument("no test dequantizer for " + std::string(tensor_type_info(type).name));
  }
}

// Byte offsets of the half-precision scale fields inside one block.
std::vector<uint32_t> half_fields(TensorType type) {
  switch (type) {
    case TensorType::kQ4_1: case TensorType::kQ5_1: case TensorType::kQ4_K: case TensorType::kQ5_K: return {0, 2};
    case TensorType::kQ2_K: return {80, 82};
    case TensorType::kQ3_K: return {108};
    case TensorType::kQ6_K: return {208};
    case TensorType::kMXFP4: return {};
    default: return {0};
  }
}

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

}  // namespace

std::vector<float> dequantize_rows(TensorType type, std::span<const uint8_t> bytes, uint32_t k, uint32_t n) {
  auto info = tensor_type_info(type);
  size_t row_bytes = size_t(k) / info.block_elements * info.block_bytes;
  if (k % info.block_elements != 0 || bytes.size() < row_bytes * n) throw std::invalid_argument("dequantize_rows: bad size");
  std::vector<float> out(size_t(k) * n);
  for (size_t r = 0; r < n; ++r)
    for (size_t blk = 0; blk < k / info.block_elements; ++blk)
      decode_block(type, bytes.data() + r * row_bytes + blk * info.block_bytes, out.data() + r * k + blk * info.block_elements);
  return out;
}

std::vector<uint8_t> random_weight_bytes(TensorType type, uint32_t k, uint32_t n, uint32_t seed) {
  auto info = tensor_type_info(type);
  size_t blocks = size_t(k) / info.block_elements * n;
  std::vector<uint8_t> out(blocks * info.block_bytes);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (size_t i = 0; i < blocks; ++i) {
    uint8_t* b = out.data() + i * info.block_bytes;
    if (type == TensorType::kF32) {
      float v = unit(rng);
      std::memcpy(b, &v, 4);
    } else if (type == TensorType::kF16) {
      put_u16(b, float_to_f16(unit(rng)));
    } else if (type == TensorType::kBF16) {
      put_u16(b, float_to_bf16(unit(rng)));
    } else {
      for (uint32_t j = 0; j < info.block_bytes; ++j) b[j] = static_cast<uint8_t>(rng());
      for (uint32_t at : half_fields(type)) put_u16(b + at, float_to_f16(0.05f * unit(rng)));
      if (type == TensorType::kMXFP4) b[0] = static_cast<uint8_t>(118 + rng() % 12);
    }
  }
  return out;
}

std::optional<std::string> why_not_run(const vk::DeviceCaps& caps, TensorType type, const kernels::MatmulChoice& choice) {
  const kernels::GemmKernel kernel = choice.gemm;
  const bool lanes = kernel == kernels::GemmKernel::kCoopmatOnLanes;
  if (choice.path != kernels::MatmulPath::kGemm || (kernel != kernels::GemmKernel::kCoopmat && !lanes) ||
      kernels::coopmat_gemm_runs(caps, type, kernel)) {
    return std::nullopt;
  }
  const bool shape = lanes ? caps.float16_arithmetic : caps.coopmat_f16.available();
  return caps.name + " cannot run the " + (lanes ? "lanes' " : "") + "cooperative-matrix GEMM on " +
         std::string(tensor_type_info(type).name) +
         (shape ? ": its tiles do not fit in shared memory" : lanes ? ": no shaderFloat16" : ": no VK_NV_cooperative_matrix shape");
}

std::string gemm_kernel_suffix(kernels::GemmKernel kernel) {
  switch (kernel) {
    case kernels::GemmKernel::kCoopmat: return "_gemm_coopmat";
    case kernels::GemmKernel::kCoopmatOnLanes: return "_gemm_coopmat_lanes";
    default: return "_gemm";
  }
}

std::vector<float> matmul_reference(std::span<const float> w, std::span<const float> x, uint32_t t, uint32_t k,
                                    uint32_t n, std::span<const float> bias) {
  std::vector<float> y(size_t(t) * n);
  for (size_t i = 0; i < t; ++i)
    for (size_t j = 0; j < n; ++j) {
      double acc = bias.empty() ? 0.0 : bias[j];
      for (size_t kk = 0; kk < k; ++kk) acc += double(w[j * k + kk]) * x[i * k + kk];
      y[i * n + j] = static_cast<float>(acc);
    }
  return y;
}

std::vector<uint32_t> reference_gemv_tiles(std::span<const uint32_t> offsets, uint32_t capacity) {
  std::vector<uint32_t> tiles;
  for (uint32_t e = 0; e + 1 < offsets.size(); ++e) {
    for (uint32_t r = offsets[e]; r < offsets[e + 1]; r += kernels::kGemvMaxTokens) tiles.insert(tiles.end(), {e, r});
  }
  while (tiles.size() < 2 * size_t(capacity)) tiles.insert(tiles.end(), {kernels::kNoTile, 0u});
  return tiles;
}

}  // namespace vkmoe::test
