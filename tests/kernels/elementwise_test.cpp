#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "engine/kernels/elementwise.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using kernels::BinaryOp;

// Plain CPU reference: out[i] = a[i] op b[i % b_len].
std::vector<float> reference(BinaryOp op, const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    float y = b[i % b.size()];
    out[i] = op == BinaryOp::kAdd ? a[i] + y : a[i] * y;
  }
  return out;
}

struct Case {
  BinaryOp op;
  size_t n;
  size_t b_len;
};

std::string case_name(const Case& c) {
  return std::string(c.op == BinaryOp::kAdd ? "add" : "mul") + "_n" + std::to_string(c.n) + "_b" + std::to_string(c.b_len);
}

// A failing case names itself, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << case_name(c); }

class BinaryOpTest : public GpuTest, public ::testing::WithParamInterface<Case> {};

TEST_P(BinaryOpTest, MatchesReference) {
  auto [op, n, b_len] = GetParam();
  auto a = random_floats(n, 1);
  auto b = random_floats(b_len, 2);
  vk::Buffer da = upload_floats(a), db = upload_floats(b), dout = poisoned_floats(n);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_binary_op(ctx(), cmd, op, da.range(), db.range(), dout.range(), n, b_len);
  });
  EXPECT_TRUE(all_close(download_floats(dout, n), reference(op, a, b), {0.0, 0.0}));
}

INSTANTIATE_TEST_SUITE_P(Shapes, BinaryOpTest,
                         ::testing::Values(Case{BinaryOp::kAdd, 1, 1}, Case{BinaryOp::kAdd, 1000, 1000},
                                           Case{BinaryOp::kMul, 257, 257}, Case{BinaryOp::kAdd, 7 * 33, 33},
                                           Case{BinaryOp::kMul, 4096 * 3, 4096},
                                           // more groups than one grid dimension holds
                                           Case{BinaryOp::kAdd, 65536 * 256 + 3, 65536 * 256 + 3}),
                         [](const auto& info) { return case_name(info.param); });

// A tensor larger than one descriptor can reach (maxStorageBufferRange: 128 MiB on lavapipe)
// must still be processed whole.
TEST_F(GpuTest, BinaryOpOverMaxStorageBufferRange) {
  uint64_t range = ctx().caps().max_storage_buffer_range;
  if (range > (uint64_t(512) << 20)) GTEST_SKIP() << "device range " << range << " is too large to exceed in a test";
  size_t n = range / 4 + 12345;
  std::vector<float> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i % 1000);
    b[i] = static_cast<float>(i % 7);
  }
  vk::Buffer da = upload_floats(a), db = upload_floats(b), dout = poisoned_floats(n);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_binary_op(ctx(), cmd, BinaryOp::kAdd, da.range(), db.range(), dout.range(), n, n);
  });
  auto got = download_floats(dout, n);
  EXPECT_TRUE(all_close(got, reference(BinaryOp::kAdd, a, b), {0.0, 0.0}));
}

}  // namespace
}  // namespace vkmoe::test
