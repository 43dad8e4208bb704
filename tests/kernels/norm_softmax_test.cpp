#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "engine/kernels/elementwise.h"
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

std::string case_name(const Shape& s) { return "n" + std::to_string(s.n) + "_rows" + std::to_string(s.rows); }

// A failing case names itself, not its bytes.
void PrintTo(const Shape& s, std::ostream* os) { *os << case_name(s); }

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

TEST_P(RowKernelTest, AddRmsNormMatchesReference) {
  auto [n, rows] = GetParam();
  auto x = random_floats(size_t(n) * rows, 6, -4.0f, 4.0f);
  auto y = random_floats(size_t(n) * rows, 7, -4.0f, 4.0f);
  auto w = random_floats(n, 8, 0.5f, 1.5f);
  std::vector<float> sum(x.size());
  for (size_t i = 0; i < x.size(); ++i) sum[i] = x[i] + y[i];
  vk::Buffer dx = upload_floats(x), dy = upload_floats(y), dw = upload_floats(w), dout = poisoned_floats(x.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_add_rms_norm(ctx(), cmd, dx.range(), dy.range(), dw.range(), dout.range(), n, rows, 1e-5f);
  });
  EXPECT_TRUE(all_close(download_floats(dx, x.size()), sum, {0.0, 0.0}, "x + y"));
  EXPECT_TRUE(all_close(download_floats(dout, x.size()), rms_norm_reference(sum, w, n, 1e-5f), {1e-6, 1e-5}));
}

// The fused kernel replaces an add then a norm in the forward pass: it must give their bits.
TEST_P(RowKernelTest, AddRmsNormEqualsAddThenNormBitForBit) {
  auto [n, rows] = GetParam();
  auto x = random_floats(size_t(n) * rows, 9, -4.0f, 4.0f);
  auto y = random_floats(size_t(n) * rows, 10, -4.0f, 4.0f);
  auto w = random_floats(n, 11, 0.5f, 1.5f);
  const uint64_t count = x.size();
  vk::Buffer fx = upload_floats(x), sx = upload_floats(x), dy = upload_floats(y), dw = upload_floats(w);
  vk::Buffer fused = poisoned_floats(count), separate = poisoned_floats(count);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_add_rms_norm(ctx(), cmd, fx.range(), dy.range(), dw.range(), fused.range(), n, rows, 1e-5f);
    kernels::record_binary_op(ctx(), cmd, kernels::BinaryOp::kAdd, sx.range(), dy.range(), sx.range(), count, count);
    cmd.barrier();
    kernels::record_rms_norm(ctx(), cmd, sx.range(), dw.range(), separate.range(), n, rows, 1e-5f);
  });
  EXPECT_TRUE(all_close(download_floats(fused, count), download_floats(separate, count), {0.0, 0.0}, "normed"));
  EXPECT_TRUE(all_close(download_floats(fx, count), download_floats(sx, count), {0.0, 0.0}, "x + y"));
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
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
