// Dense matmul y (T, N) = x (T, K) · W^T (+ bias) on every weight format, both paths (GEMV
// for T <= 8, GEMM above, in each GEMM kernel), against the double-precision reference on the
// same decoded weights; weights over maxStorageBufferRange; and the errors a caller can provoke.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <ostream>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/kernels/matmul_pipelines.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

struct Case {
  TensorType type;
  uint32_t tokens, k, n;
  bool bias;
  uint32_t x_at = 0;  // x starts this many floats into its buffer (off the 16-byte grid: x loads shift)
  uint32_t w_at = 0;  // W starts this many bytes into its buffer (off the 16-byte grid: W loads shift)
  kernels::MatmulChoice choice = {};  // every path and GEMV layout runs on every device
};

std::string case_name(const Case& c) {
  std::string path = c.choice.path == kernels::MatmulPath::kGemm                  ? gemm_kernel_suffix(c.choice.gemm)
                     : c.choice.layout == kernels::GemvLayout::kSubgroupPerRow    ? "_subgroup_per_row"
                     : c.choice.layout == kernels::GemvLayout::kRowsPerSubgroup ? "_rows_per_subgroup"
                                                                                : "";
  return std::string(tensor_type_info(c.type).name) + "_T" + std::to_string(c.tokens) + "_K" + std::to_string(c.k) + "_N" +
         std::to_string(c.n) + (c.bias ? "_bias" : "") + (c.x_at != 0 ? "_x_at" + std::to_string(c.x_at) : "") +
         (c.w_at != 0 ? "_w_at" + std::to_string(c.w_at) : "") + path;
}

// A failing case names itself, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << case_name(c); }

class MatmulTest : public GpuTest, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    const Case& c = GetParam();
    if (const auto why = why_not_run(ctx().caps(), c.type, c.choice)) GTEST_SKIP() << *why;
  }
};

TEST_P(MatmulTest, MatchesReference) {
  const Case c = GetParam();
  std::vector<uint8_t> w_bytes = random_weight_bytes(c.type, c.k, c.n, 11 + c.k);
  std::vector<float> w = dequantize_rows(c.type, w_bytes, c.k, c.n);
  std::vector<float> x = random_floats(size_t(c.tokens) * c.k, 12 + c.tokens);
  std::vector<float> bias = c.bias ? random_floats(c.n, 13) : std::vector<float>{};
  w_bytes.insert(w_bytes.begin(), c.w_at, uint8_t{0xFF});
  std::vector<float> x_buffer(c.x_at, std::numeric_limits<float>::quiet_NaN());
  x_buffer.insert(x_buffer.end(), x.begin(), x.end());
  vk::Buffer dw = upload_bytes(w_bytes), dx = upload_floats(x_buffer), dy = poisoned_floats(size_t(c.tokens) * c.n);
  vk::Buffer db = c.bias ? upload_floats(bias) : vk::Buffer{};
  kernels::MatmulWeight weight{dw.range(c.w_at, w_bytes.size() - c.w_at), c.type, c.k, c.n};
  std::optional<vk::BufferRange> bias_range;
  if (c.bias) bias_range = db.range();
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_matmul(ctx(), cmd, weight, dx.range(uint64_t(c.x_at) * 4, x.size() * 4), dy.range(), c.tokens, bias_range,
                           c.choice);
  });
  // float32 accumulation of exactly the decoded weights.
  EXPECT_TRUE(all_close(download_floats(dy, size_t(c.tokens) * c.n), matmul_reference(w, x, c.tokens, c.k, c.n, bias),
                        {1e-5}));
}

// A one-token GEMV that ends its block (kernels::ScatterAfter with the dense row, weight 1):
// y as without it, the residual vector plus y, and its norm. Three steps in one command
// buffer, so the ticket must come back to zero for each.
class MatmulResidualAddTest : public MatmulTest {};

TEST_P(MatmulResidualAddTest, AddsItsRowAndNorms) {
  const Case c = GetParam();
  constexpr int kSteps = 3;
  constexpr float kEps = 1e-6f;
  const std::vector<uint8_t> w_bytes = random_weight_bytes(c.type, c.k, c.n, 21 + c.k);
  const std::vector<float> w = dequantize_rows(c.type, w_bytes, c.k, c.n);
  const std::vector<float> x = random_floats(c.k, 22), residual = random_floats(c.n, 23), norm_weight = random_floats(c.n, 24);
  const std::vector<float> bias = c.bias ? random_floats(c.n, 25) : std::vector<float>{};
  const std::vector<float> y_want = matmul_reference(w, x, 1, c.k, c.n, bias);
  std::vector<double> out(residual.begin(), residual.end());
  double sum_sq = 0.0;
  for (int step = 0; step < kSteps; ++step) {
    sum_sq = 0.0;
    for (uint32_t h = 0; h < c.n; ++h) {
      out[h] += y_want[h];
      sum_sq += out[h] * out[h];
    }
  }
  std::vector<float> out_want(c.n), normed_want(c.n);
  for (uint32_t h = 0; h < c.n; ++h) {
    out_want[h] = static_cast<float>(out[h]);
    normed_want[h] = static_cast<float>(out[h] / std::sqrt(sum_sq / c.n + kEps) * norm_weight[h]);
  }

  // y one float into its buffer, so the epilogue must read it from where the GEMV wrote it.
  vk::Buffer dw = upload_bytes(w_bytes), dx = upload_floats(x), dy = poisoned_floats(c.n + 1);
  vk::Buffer db = c.bias ? upload_floats(bias) : vk::Buffer{};
  vk::Buffer dout = upload_floats(residual), dnorm_weight = upload_floats(norm_weight), dnormed = poisoned_floats(c.n);
  vk::Buffer drow = upload_floats(std::vector<float>{0.0f}), dweight = upload_floats(std::vector<float>{1.0f});
  vk::Buffer dticket = upload_floats(std::vector<float>{0.0f});  // the bits of uint 0
  std::optional<vk::BufferRange> bias_range;
  if (c.bias) bias_range = db.range();
  const kernels::ScatterAfter after{drow.range(), dweight.range(), dout.range(), dnorm_weight.range(), dnormed.range(),
                                    dticket.range(), kEps};
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    for (int step = 0; step < kSteps; ++step) {
      kernels::record_matmul(ctx(), cmd, {dw.range(), c.type, c.k, c.n}, dx.range(), dy.range(4, c.n * 4), 1, bias_range,
                             c.choice, after);
      cmd.barrier();
    }
  });
  EXPECT_TRUE(all_close(download_floats(dy, c.n, 1), y_want, {1e-5}, "y"));
  EXPECT_TRUE(all_close(download_floats(dout, c.n), out_want, {1e-5}, "residual"));
  EXPECT_TRUE(all_close(download_floats(dnormed, c.n), normed_want, {1e-5}, "normed"));
  EXPECT_EQ(download_floats(dticket, 1)[0], 0.0f) << "the ticket did not return to zero";
}

std::vector<Case> cases() {
  std::vector<Case> out;
  // Float formats: K need not be a multiple of anything (GEMM tiles are 16 deep).
  for (TensorType t : {TensorType::kF32, TensorType::kF16, TensorType::kBF16}) {
    out.push_back({t, 1, 64, 1, false});
    out.push_back({t, 1, 300, 37, true});
    out.push_back({t, 2, 100, 33, false});
    out.push_back({t, 7, 67, 70, true});
    out.push_back({t, 8, 256, 17, false});
    out.push_back({t, 9, 100, 65, true});
    out.push_back({t, 33, 301, 129, false});
    out.push_back({t, 130, 257, 40, true});
    out.push_back({t, 5, 64, 20, false, 1, 4});
    // One unit and a tail: the GPU layout gives each row a single lane.
    out.push_back({t, 3, 12, 19, true});
  }
  // Block formats: K a whole number of 256-element super-blocks (and of 32-element blocks).
  for (TensorType t : {TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1, TensorType::kQ5_0, TensorType::kQ5_1,
                       TensorType::kIQ4_NL, TensorType::kMXFP4, TensorType::kQ2_K, TensorType::kQ3_K, TensorType::kQ4_K,
                       TensorType::kQ5_K, TensorType::kQ6_K}) {
    out.push_back({t, 1, 256, 1, false});
    out.push_back({t, 1, 512, 65, true});
    out.push_back({t, 2, 512, 33, true});
    out.push_back({t, 7, 256, 70, false});
    out.push_back({t, 8, 256, 17, true});
    out.push_back({t, 9, 512, 65, false});
    out.push_back({t, 33, 256, 129, true});
    out.push_back({t, 130, 256, 40, false});
    // x and W off the 16-byte grid: x at an odd float (x words shift by half) and at an even
    // one, W 4 bytes in.
    out.push_back({t, 3, 256, 9, false, 3, 4});
    out.push_back({t, 9, 256, 20, true, 2});
  }
  // Each case in each GEMV layout, whatever the device would pick; more than 8 tokens (the
  // subgroup-per-row layout's limit) also in the GEMM, which CPU drivers leave for the GEMV:
  // the scalar kernel and the cooperative-matrix one on lanes. The cooperative-matrix kernel
  // proper takes the 33-token case of each format (its fragment operations are all that
  // differ from the lanes').
  std::vector<Case> all;
  for (const Case& c : out) {
    if (c.tokens > kernels::kGemvMaxTokens) {
      Case rows = c;
      rows.choice = {kernels::MatmulPath::kGemv, kernels::GemvLayout::kRowsPerSubgroup};
      all.push_back(rows);
      for (auto kernel : {kernels::GemmKernel::kScalar, kernels::GemmKernel::kCoopmatOnLanes, kernels::GemmKernel::kCoopmat}) {
        if (kernel == kernels::GemmKernel::kCoopmat && c.tokens != 33) continue;
        Case gemm = c;
        gemm.choice = {kernels::MatmulPath::kGemm, kernels::GemvLayout::kAuto, kernel};
        all.push_back(gemm);
      }
      continue;
    }
    for (auto layout : {kernels::GemvLayout::kSubgroupPerRow, kernels::GemvLayout::kRowsPerSubgroup}) {
      Case l = c;
      l.choice = {kernels::MatmulPath::kGemv, layout};
      all.push_back(l);
    }
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(Shapes, MatmulTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return case_name(info.param); });

std::vector<Case> one_token_gemv_cases() {
  std::vector<Case> out;
  for (const Case& c : cases()) {
    if (c.tokens == 1 && c.choice.path == kernels::MatmulPath::kGemv) out.push_back(c);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, MatmulResidualAddTest, ::testing::ValuesIn(one_token_gemv_cases()),
                         [](const auto& info) { return case_name(info.param); });

// The GPU-layout GEMV gives a row one lane per unit, up to the subgroup: the rest of the
// subgroup takes other rows rather than idling.
TEST(GemvLanesPerRowTest, FollowTheRowsUnits) {
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kQ4_K, 768, 32), 16u);   // Qwen3-30B-A3B expert down: 12 units
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kQ6_K, 768, 32), 8u);    // 6 units
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kQ6_K, 2048, 32), 16u);  // its gate and up: 16 units
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kQ4_K, 4096, 32), 32u);  // 64 units: the whole subgroup
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kQ8_0, 768, 64), 32u);   // 24 units
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kF16, 4096, 64), 64u);
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kF32, 12, 8), 1u);  // one unit and a tail
  EXPECT_EQ(kernels::gemv_lanes_per_row(TensorType::kF32, 5, 8), 1u);   // no whole unit
}

class MatmulLimitsTest : public GpuTest {};

// 40000 x 1024 float32 = 164 MB: over lavapipe's 128 MiB descriptor limit, so the weight is
// split into row ranges, each bound on its own.
TEST_F(MatmulLimitsTest, WeightOverStorageBufferRangeIsSplitByRows) {
  constexpr uint32_t k = 1024, n = 40000;
  ASSERT_GT(uint64_t(k) * n * 4, ctx().caps().max_storage_buffer_range) << "shape no longer exceeds the device limit";
  std::vector<float> w(size_t(k) * n);
  uint32_t state = 12345;
  for (float& v : w) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / 8388608.0f - 1.0f;
  }
  std::vector<float> x = random_floats(k, 21), bias = random_floats(n, 22);
  // Written in place through a host-visible mapping: 164 MB through the staging buffer is slow.
  vk::Buffer dw = ctx().create_buffer(w.size() * 4, vk::MemoryUsage::kUpload);
  ASSERT_NE(dw.mapped(), nullptr);
  std::memcpy(dw.mapped(), w.data(), w.size() * 4);
  dw.flush(0, w.size() * 4);
  vk::Buffer dx = upload_floats(x), db = upload_floats(bias), dy = poisoned_floats(n);
  kernels::MatmulWeight weight{dw.range(), TensorType::kF32, k, n};
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_matmul(ctx(), cmd, weight, dx.range(), dy.range(), 1, db.range());
  });
  EXPECT_TRUE(all_close(download_floats(dy, n), matmul_reference(w, x, 1, k, n, bias), {1e-5}));
}

TEST_F(MatmulLimitsTest, UnsupportedTypeIsNamed) {
  vk::Buffer b = ctx().create_buffer(4096);
  kernels::MatmulWeight weight{b.range(), TensorType::kIQ2_XXS, 256, 1};
  try {
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_matmul(ctx(), cmd, weight, b.range(), b.range(), 1); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("IQ2_XXS"), std::string::npos) << e.what();
  }
}

TEST_F(MatmulLimitsTest, PartialBlockRowIsRejected) {
  vk::Buffer b = ctx().create_buffer(4096);
  kernels::MatmulWeight weight{b.range(), TensorType::kQ4_K, 100, 1};
  try {
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_matmul(ctx(), cmd, weight, b.range(), b.range(), 1); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Q4_K"), std::string::npos) << e.what();
  }
}

TEST_F(MatmulLimitsTest, TooSmallRangesAreRejected) {
  vk::Buffer w = ctx().create_buffer(64 * 64 * 4), small = ctx().create_buffer(16);
  kernels::MatmulWeight weight{w.range(), TensorType::kF32, 64, 64};
  EXPECT_THROW(ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
                 kernels::record_matmul(ctx(), cmd, weight, small.range(), w.range(), 1);
               }),
               Error);
  EXPECT_THROW(ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
                 kernels::record_matmul(ctx(), cmd, weight, w.range(), small.range(), 1);
               }),
               Error);
  weight.n = 65;
  EXPECT_THROW(ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
                 kernels::record_matmul(ctx(), cmd, weight, w.range(), w.range(), 1);
               }),
               Error);
}

}  // namespace
}  // namespace vkmoe::test
