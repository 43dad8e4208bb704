#include "apps/vkmoe-synth/random_blocks.h"

#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#include "loader/base/error.h"
#include "loader/base/half.h"

namespace vkmoe::synth {
namespace {

constexpr float kSigma = 0.02f;

// 4096 draws of N(0, kSigma), so a random 12-bit index gives a normal value without a
// logarithm per element.
struct NormalTable {
  std::array<float, 4096> f32;
  std::array<uint16_t, 4096> f16;
  NormalTable() {
    Rng rng(0x5eed);
    for (size_t i = 0; i < f32.size(); ++i) {
      const double u1 = (static_cast<double>(rng.next() >> 11) + 1.0) / 9007199254740993.0;
      const double u2 = static_cast<double>(rng.next() >> 11) / 9007199254740992.0;
      f32[i] = static_cast<float>(kSigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
      f16[i] = float_to_f16(f32[i]);
    }
  }
};

const NormalTable& normal_table() {
  static const NormalTable table;
  return table;
}

void fill_bytes(Rng& rng, uint8_t* p, size_t n) {
  while (n >= 8) {
    const uint64_t v = rng.next();
    std::memcpy(p, &v, 8);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    const uint64_t v = rng.next();
    std::memcpy(p, &v, n);
  }
}

void put_f16(uint8_t* p, float value) {
  const uint16_t h = float_to_f16(value);
  std::memcpy(p, &h, 2);
}

// A block scale: `base` times a factor in [1, 1.5), so blocks differ but stay in range.
float jitter(Rng& rng, float base) { return base * (1.0f + static_cast<float>(rng.below(64)) / 128.0f); }

// K-quant 6-bit scale and minimum per sub-block, packed as ggml's get_scale_min_k4 reads them.
void pack_scales_k4(const uint8_t (&sc)[8], const uint8_t (&m)[8], uint8_t* q) {
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    q[j + 4] = static_cast<uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
}

// Q4_K / Q5_K: y = d * sc * q - dmin * m with q in [0, 2^bits). m = sc * mid / ratio centres
// each sub-block when dmin = ratio * d.
void k4_header(Rng& rng, uint8_t* p, float d, float mid, float ratio) {
  uint8_t sc[8], m[8];
  for (int j = 0; j < 8; ++j) {
    sc[j] = static_cast<uint8_t>(16 + rng.below(48));
    m[j] = static_cast<uint8_t>(std::lround(sc[j] * mid / ratio));
  }
  put_f16(p, d);
  put_f16(p + 2, d * ratio);
  pack_scales_k4(sc, m, p + 4);
}

void fill_block(TensorType type, Rng& rng, uint8_t* p, size_t block_bytes) {
  fill_bytes(rng, p, block_bytes);
  switch (type) {
    case TensorType::kQ8_0: put_f16(p, jitter(rng, 1.0f / 4096)); break;   // |y| <= 0.05
    case TensorType::kQ5_0: put_f16(p, jitter(rng, 1.0f / 512)); break;    // y = d (q - 16)
    case TensorType::kQ5_1: {                                             // y = d q + m
      const float d = jitter(rng, 1.0f / 512);
      put_f16(p, d);
      put_f16(p + 2, -15.5f * d);
      break;
    }
    case TensorType::kQ4_K: k4_header(rng, p, jitter(rng, 1.0f / 8192), 7.5f, 8.0f); break;
    case TensorType::kQ5_K: k4_header(rng, p, jitter(rng, 1.0f / 16384), 15.5f, 16.0f); break;
    case TensorType::kQ6_K: {  // y = d * scale * (q - 32), scales int8 at 192, d at 208
      for (int j = 0; j < 16; ++j) p[192 + j] = static_cast<uint8_t>(4 + rng.below(12));
      put_f16(p + 208, jitter(rng, 1.0f / 8192));
      break;
    }
    case TensorType::kMXFP4: p[0] = static_cast<uint8_t>(119 + rng.below(2)); break;  // 2^(e-127) * E2M1
    default:
      throw Error(ErrorCode::kInternal, "vkmoe-synth has no random blocks for " + std::string(tensor_type_info(type).name));
  }
}

}  // namespace

void fill_random_blocks(TensorType type, Fill fill, Rng& rng, std::span<uint8_t> out) {
  const NormalTable& table = normal_table();
  if (type == TensorType::kF32) {
    for (size_t i = 0; i + 4 <= out.size(); i += 4) {
      const float v = fill == Fill::kOnes ? 1.0f : table.f32[rng.next() & 4095];
      std::memcpy(out.data() + i, &v, 4);
    }
    return;
  }
  if (type == TensorType::kF16) {
    const uint16_t one = float_to_f16(1.0f);
    for (size_t i = 0; i + 8 <= out.size(); i += 8) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 4; ++k, bits >>= 16) {
        const uint16_t h = fill == Fill::kOnes ? one : table.f16[bits & 4095];
        std::memcpy(out.data() + i + 2 * k, &h, 2);
      }
    }
    for (size_t i = out.size() / 8 * 8; i + 2 <= out.size(); i += 2) {
      const uint16_t h = fill == Fill::kOnes ? one : table.f16[rng.next() & 4095];
      std::memcpy(out.data() + i, &h, 2);
    }
    return;
  }
  const size_t block_bytes = tensor_type_info(type).block_bytes;
  for (size_t off = 0; off + block_bytes <= out.size(); off += block_bytes) fill_block(type, rng, out.data() + off, block_bytes);
}

}  // namespace vkmoe::synth
