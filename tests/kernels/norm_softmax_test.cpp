#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/rms_norm.h"
#include "engine/kernels/softmax.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

// x is (rows, n); weight is (n).
std::vector<float> rms_norm_reference(const std::vector<float>& x, const std::vector<float>& w, size_t n, float eps) {
  std::vector<float> out(x.size());
  for (size_t r = 0; r < x.size() / n; ++r) {
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += double(x[r * n + i]) * x[r * n + i];
    double scale = 1.0 / std::sqrt(ss / n + eps);
    for (size_t i = 0; i < n; ++i) out[r * n + i] = static_cast<float>(x[r * n + i] * scale * w[i]);
  }
  return out;
}

std::vector<float> softmax_reference(const std::vector<float>& x, size_t n) {
  std::vector<float> out(x.size());
  for (size_t r = 0; r < x.size() / n; ++r) {
    double m = -INFINITY, s = 0;
    for (size_t i = 0; i < n; ++i) m = std::max<double>(m, x[r * n + i]);
    for (size_t i = 0; i < n; ++i) s += std::exp(x[r * n + i] - m);
    for (size_t i = 0; i < n; ++i) out[r * n + i] = static_cast<float>(std::exp(x[r * n + i] - m) / s);
  }
  return out;
}

struct Shape {
  uint32_t n, rows;
};

class RowKernelTest : public GpuTest, public ::testing::WithParamInterface<Shape> {};

TEST_P(RowKernelTest, RmsNormMatchesReference) {
  auto [n, rows] = GetParam();
  auto x = random_floats(size_t(n) * rows, 3, -4.0f, 4.0f);
  auto w = random_floats(n, 4, 0.5f, 1.5f);
  vk::Buffer dx = upload_floats(x), dw = upload_floats(w), dout = poisoned_floats(x.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_rms_norm(ctx(), cmd, dx.range(), dw.range(), dout.range(), n, rows, 1e-5f);
  });
  EXPECT_TRUE(all_close(download_floats(dout, x.size()), rms_norm_reference(x, w, n, 1e-5f), {1e-6, 1e-5}));
}

TEST_P(RowKernelTest, SoftmaxMatchesReference) {
  auto [n, rows] = GetParam();
  auto x = random_floats(size_t(n) * rows, 5, -20.0f, 20.0f);
  vk::Buffer dx = upload_floats(x), dout = poisoned_floats(x.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_softmax(ctx(), cmd, dx.range(), dout.range(), n, rows); });
  EXPECT_TRUE(all_close(download_floats(dout, x.size()), softmax_reference(x, n), {1e-6, 1e-6}));
}

INSTANTIATE_TEST_SUITE_P(Shapes, RowKernelTest,
                         ::testing::Values(Shape{1, 1}, Shape{7, 3}, Shape{64, 1}, Shape{100, 17}, Shape{1000, 5},
                                           Shape{4096, 2}, Shape{5120 + 3, 4}, Shape{128, 300}),
                         [](const auto& info) {
                           return "n" + std::to_string(info.param.n) + "_rows" + std::to_string(info.param.rows);
                         });

}  // namespace
}  // namespace vkmoe::test
