#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>

#include "engine/kernels/argmax.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

// First index of the largest non-NaN value; 0 for a row without one.
uint32_t argmax_reference(const float* row, uint32_t n) {
  uint32_t best = 0;
  bool found = false;
  for (uint32_t i = 0; i < n; ++i) {
    if (std::isnan(row[i])) continue;
    if (!found || row[i] > row[best]) best = i, found = true;
  }
  return best;
}

class ArgmaxTest : public GpuTest {
 protected:
  std::vector<uint32_t> run(const std::vector<float>& x, uint32_t n) {
    uint32_t rows = static_cast<uint32_t>(x.size() / n);
    vk::Buffer dx = upload_floats(x), dout = poisoned_floats(rows);
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_argmax(ctx(), cmd, dx.range(), dout.range(), n, rows); });
    std::vector<uint32_t> out(rows);
    ctx().download(dout, 0, {reinterpret_cast<uint8_t*>(out.data()), rows * 4});
    return out;
  }
  std::vector<uint32_t> reference(const std::vector<float>& x, uint32_t n) {
    std::vector<uint32_t> out;
    for (size_t r = 0; r < x.size() / n; ++r) out.push_back(argmax_reference(x.data() + r * n, n));
    return out;
  }
};

struct ArgmaxShape {
  uint32_t n, rows;
};

std::string case_name(const ArgmaxShape& s) { return "n" + std::to_string(s.n) + "_rows" + std::to_string(s.rows); }

// A failing case names itself, not its bytes.
void PrintTo(const ArgmaxShape& s, std::ostream* os) { *os << case_name(s); }

class ArgmaxShapeTest : public ArgmaxTest, public ::testing::WithParamInterface<ArgmaxShape> {};

TEST_P(ArgmaxShapeTest, MatchesReferenceWithPlantedTies) {
  auto [n, rows] = GetParam();
  auto x = random_floats(size_t(n) * rows, n + rows, -10.0f, 10.0f);
  for (uint32_t r = 0; r < rows; ++r) {
    // Plant the row's maximum twice (or three times), the later copies at lower or higher
    // indices depending on the row, so only the first may win.
    float top = 20.0f + r;
    uint32_t a = (r * 7919u + 13u) % n, b = (r * 104729u + 5u) % n;
    x[size_t(r) * n + a] = top;
    x[size_t(r) * n + b] = top;
    x[size_t(r) * n + (a + b) / 2] = top;
  }
  EXPECT_EQ(run(x, n), reference(x, n));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ArgmaxShapeTest,
                         ::testing::Values(ArgmaxShape{1, 1}, ArgmaxShape{7, 3}, ArgmaxShape{1000, 5},
                                           ArgmaxShape{32000, 2}, ArgmaxShape{151936, 1}, ArgmaxShape{262144, 2}),
                         [](const auto& info) { return case_name(info.param); });

TEST_F(ArgmaxTest, AllEqualRowsPickTheFirst) {
  std::vector<float> x(3 * 300, 1.5f);
  for (size_t i = 300; i < 600; ++i) x[i] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(run(x, 300), (std::vector<uint32_t>{0, 0, 0}));
}

TEST_F(ArgmaxTest, NaNNeverWins) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {nan, 1.0f, nan, 3.0f, 3.0f, nan, 2.0f, nan,  // row 0: 3
                          nan, nan, nan, nan, nan, nan, nan, nan};       // row 1: 0
  EXPECT_EQ(run(x, 8), (std::vector<uint32_t>{3, 0}));
}

}  // namespace
}  // namespace vkmoe::test
