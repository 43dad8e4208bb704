#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>

#include "engine/kernels/activation.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::vector<float> swiglu_reference(const std::vector<float>& gate, const std::vector<float>& up) {
  std::vector<float> out(gate.size());
  for (size_t i = 0; i < gate.size(); ++i) out[i] = static_cast<float>(gate[i] * sigmoid(gate[i]) * up[i]);
  return out;
}

// transformers' GptOssExperts: gate = gate.clamp(max=limit); up = up.clamp(-limit, limit);
// glu = gate * sigmoid(gate * alpha); out = (up + 1) * glu.
std::vector<float> clamped_swiglu_reference(const std::vector<float>& gate, const std::vector<float>& up, double alpha,
                                            double limit) {
  std::vector<float> out(gate.size());
  for (size_t i = 0; i < gate.size(); ++i) {
    double g = std::min<double>(gate[i], limit);
    double u = std::clamp<double>(up[i], -limit, limit);
    out[i] = static_cast<float>((u + 1.0) * g * sigmoid(g * alpha));
  }
  return out;
}

struct ActShape {
  uint32_t rows, cols;
};

std::string case_name(const ActShape& s) { return "r" + std::to_string(s.rows) + "_c" + std::to_string(s.cols); }

// A failing case names itself, not its bytes.
void PrintTo(const ActShape& s, std::ostream* os) { *os << case_name(s); }

class ActivationTest : public GpuTest, public ::testing::WithParamInterface<ActShape> {};

TEST_P(ActivationTest, SwigluMatchesReference) {
  auto [rows, cols] = GetParam();
  size_t n = size_t(rows) * cols;
  auto gate = random_floats(n, 1, -12.0f, 12.0f), up = random_floats(n, 2, -12.0f, 12.0f);
  vk::Buffer dg = upload_floats(gate), du = upload_floats(up), dout = poisoned_floats(n);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_swiglu(ctx(), cmd, dg.range(), du.range(), dout.range(), n); });
  // Outputs reach 144, where one float ulp is 1.5e-5.
  EXPECT_TRUE(all_close(download_floats(dout, n), swiglu_reference(gate, up), {1e-6, 5e-5}));
}

TEST_P(ActivationTest, ClampedSwigluMatchesReference) {
  auto [rows, cols] = GetParam();
  size_t n = size_t(rows) * cols;
  // Values well past the limit of 7 on both sides exercise both clamps.
  auto gate = random_floats(n, 3, -12.0f, 12.0f), up = random_floats(n, 4, -12.0f, 12.0f);
  vk::Buffer dg = upload_floats(gate), du = upload_floats(up), dout = poisoned_floats(n);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_clamped_swiglu(ctx(), cmd, dg.range(), du.range(), dout.range(), n, {});
  });
  EXPECT_TRUE(all_close(download_floats(dout, n), clamped_swiglu_reference(gate, up, 1.702, 7.0), {1e-6, 1e-5}));
}

TEST_P(ActivationTest, SigmoidGatedAddMatchesReference) {
  auto [tokens, hidden] = GetParam();
  size_t n = size_t(tokens) * hidden;
  auto gate = random_floats(tokens, 5, -6.0f, 6.0f), shared = random_floats(n, 6), base = random_floats(n, 7);
  std::vector<float> want(n);
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t h = 0; h < hidden; ++h) want[t * hidden + h] = static_cast<float>(base[t * hidden + h] + sigmoid(gate[t]) * shared[t * hidden + h]);
  }
  vk::Buffer dg = upload_floats(gate), ds = upload_floats(shared), dout = upload_floats(base);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_sigmoid_gated_add(ctx(), cmd, dg.range(), ds.range(), dout.range(), tokens, hidden);
  });
  EXPECT_TRUE(all_close(download_floats(dout, n), want, {1e-6, 1e-6}));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ActivationTest,
                         ::testing::Values(ActShape{1, 1}, ActShape{1, 7}, ActShape{3, 100}, ActShape{17, 1030},
                                           ActShape{130, 64}, ActShape{1, 4096}),
                         [](const auto& info) { return case_name(info.param); });

TEST_F(ActivationTest, ClampedSwigluAtTheLimits) {
  // gate 7 and above saturates to 7, up saturates to +-7: (7 + 1) * 7 * sigmoid(11.914).
  std::vector<float> gate = {7.0f, 100.0f, -100.0f, 0.0f}, up = {7.0f, 50.0f, -50.0f, 3.0f};
  vk::Buffer dg = upload_floats(gate), du = upload_floats(up), dout = poisoned_floats(4);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_clamped_swiglu(ctx(), cmd, dg.range(), du.range(), dout.range(), 4, {});
  });
  auto got = download_floats(dout, 4);
  double top = 8.0 * 7.0 / (1.0 + std::exp(-1.702 * 7.0));
  EXPECT_NEAR(got[0], top, 1e-5);
  EXPECT_NEAR(got[1], top, 1e-5);
  EXPECT_NEAR(got[2], 0.0, 1e-6);  // (-7 + 1) * -100 * sigmoid(-170.2) underflows to 0
  EXPECT_EQ(got[3], 0.0f);
}

TEST_F(ActivationTest, SwigluInPlace) {
  auto gate = random_floats(300, 8, -5.0f, 5.0f), up = random_floats(300, 9, -5.0f, 5.0f);
  vk::Buffer dg = upload_floats(gate), du = upload_floats(up);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_swiglu(ctx(), cmd, dg.range(), du.range(), dg.range(), 300); });
  EXPECT_TRUE(all_close(download_floats(dg, 300), swiglu_reference(gate, up), {1e-6, 1e-5}));
}

}  // namespace
}  // namespace vkmoe::test
