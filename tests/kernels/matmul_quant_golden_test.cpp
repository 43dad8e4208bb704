// Every weight format against ggml's own quantization vectors (shared/goldens/quant): the
// test dequantizer must reproduce ggml's `to_float` bit for bit, and the GPU matmul must
// reproduce ggml's y = dequant @ x on those exact blocks, on both the GEMV and GEMM paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "engine/kernels/matmul.h"
#include "loader/safetensors/safetensors_file.h"
#include "loader/safetensors/safetensors_values.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

struct QuantVectors {
  TensorType type = TensorType::kF32;
  uint32_t k = 0, n = 0;
  std::vector<uint8_t> blocks;  // (n, row_bytes)
  std::vector<float> dequant;   // (n, k), ggml's decoder
  std::vector<float> x;         // (k)
  std::vector<float> y;         // (n) = dequant @ x
};

QuantVectors load_vectors(TensorType type) {
  std::string name(tensor_type_info(type).name);
  auto file = SafetensorsFile::open(golden_path("quant/" + name + ".safetensors"));
  const auto& meta = file.metadata();
  EXPECT_EQ(meta.at("type"), name);
  EXPECT_EQ(std::stoul(meta.at("ggml_type")), static_cast<uint32_t>(type));
  QuantVectors v;
  v.type = type;
  v.n = static_cast<uint32_t>(std::stoul(meta.at("rows")));
  v.k = static_cast<uint32_t>(std::stoul(meta.at("n_per_row")));
  const auto& blocks = file.require("blocks");
  v.blocks.assign(blocks.bytes.begin(), blocks.bytes.end());
  EXPECT_EQ(v.blocks.size(), kernels::matmul_row_bytes(type, v.k) * v.n);
  v.dequant = to_float_vector(file.require("dequant"));
  v.x = to_float_vector(file.require("x"));
  v.y = to_float_vector(file.require("y"));
  EXPECT_EQ(v.dequant.size(), size_t(v.k) * v.n);
  EXPECT_EQ(v.x.size(), v.k);
  EXPECT_EQ(v.y.size(), v.n);
  return v;
}

// S = sum |w||x| of row r: the scale that the README's measured tolerances are relative to.
double row_magnitude(const QuantVectors& v, uint32_t r) {
  double s = 0;
  for (uint32_t i = 0; i < v.k; ++i) s += std::fabs(double(v.dequant[size_t(r) * v.k + i]) * v.x[i]);
  return s;
}

class QuantGoldenTest : public GpuTest, public ::testing::WithParamInterface<TensorType> {};

TEST_P(QuantGoldenTest, DequantizerMatchesGgmlBitForBit) {
  QuantVectors v = load_vectors(GetParam());
  std::vector<float> ours = dequantize_rows(v.type, v.blocks, v.k, v.n);
  ASSERT_EQ(ours.size(), v.dequant.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (std::memcmp(&ours[i], &v.dequant[i], 4) != 0 && mismatches++ < 5) {
      ADD_FAILURE() << "element " << i << " (row " << i / v.k << ", col " << i % v.k << "): ours " << ours[i]
                    << ", ggml " << v.dequant[i];
    }
  }
  EXPECT_EQ(mismatches, 0u);
  for (uint32_t r = 0; r < v.n; ++r) {
    double y = 0;
    for (uint32_t i = 0; i < v.k; ++i) y += double(ours[size_t(r) * v.k + i]) * v.x[i];
    EXPECT_LE(std::fabs(y - v.y[r]), 1e-5 * std::fabs(v.y[r]) + 1e-30) << "row " << r;
  }
}

// x repeated over `tokens` rows: the GEMV path for tokens <= 8, the GEMM path above.
TEST_P(QuantGoldenTest, GpuMatmulMatchesGgml) {
  QuantVectors v = load_vectors(GetParam());
  for (uint32_t tokens : {1u, 3u, 9u}) {
    SCOPED_TRACE("tokens " + std::to_string(tokens));
    std::vector<float> x;
    for (uint32_t t = 0; t < tokens; ++t) x.insert(x.end(), v.x.begin(), v.x.end());
    vk::Buffer dw = upload_bytes(v.blocks), dx = upload_floats(x), dy = poisoned_floats(size_t(tokens) * v.n);
    kernels::MatmulWeight w{dw.range(0, v.blocks.size()), v.type, v.k, v.n};
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_matmul(ctx(), cmd, w, dx.range(), dy.range(), tokens); });
    std::vector<float> y = download_floats(dy, size_t(tokens) * v.n);
    for (uint32_t t = 0; t < tokens; ++t)
      for (uint32_t r = 0; r < v.n; ++r) {
        float got = y[size_t(t) * v.n + r];
        // float32 accumulation in any order: the README measured 6e-8 of S; allow 1e-6.
        EXPECT_LE(std::fabs(double(got) - v.y[r]), 1e-6 * row_magnitude(v, r)) << "token " << t << " row " << r << ": got "
                                                                              << got << ", ggml " << v.y[r];
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, QuantGoldenTest,
                         ::testing::Values(TensorType::kF16, TensorType::kBF16, TensorType::kQ8_0, TensorType::kQ4_0,
                                           TensorType::kQ4_1, TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kIQ4_NL,
                                           TensorType::kMXFP4, TensorType::kQ2_K, TensorType::kQ3_K, TensorType::kQ4_K,
                                           TensorType::kQ5_K, TensorType::kQ6_K),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace vkmoe::test
