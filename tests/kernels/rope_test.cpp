#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "engine/kernels/rope.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/rope_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using kernels::RopeConfig;
using kernels::RopeScaling;
using kernels::RopeStyle;

struct RopeCase {
  std::string name;
  RopeConfig config;
  uint32_t tokens, heads, head_dim;
  bool in_place;
};

// A failing case names itself, not its bytes.
void PrintTo(const RopeCase& c, std::ostream* os) { *os << c.name; }

RopeConfig make_config(RopeStyle style, uint32_t n_rot, double base, RopeScaling scaling = RopeScaling::kNone,
                       double factor = 1.0) {
  RopeConfig c;
  c.style = style;
  c.n_rot = n_rot;
  c.base = base;
  c.scaling = scaling;
  c.factor = factor;
  return c;
}

RopeConfig yarn_config(RopeStyle style, uint32_t n_rot, double base, double factor, uint32_t original, bool truncate) {
  RopeConfig c = make_config(style, n_rot, base, RopeScaling::kYarn, factor);
  c.original_context = original;
  c.truncate = truncate;
  return c;
}

// Non-contiguous and out of order, up to ~3000 so angles span hundreds of turns.
std::vector<uint32_t> test_positions(uint32_t tokens) {
  std::vector<uint32_t> pos(tokens);
  for (uint32_t t = 0; t < tokens; ++t) pos[t] = (t * 977u + 13u * (t % 3)) % 3001u;
  return pos;
}

class RopeTest : public GpuTest, public ::testing::WithParamInterface<RopeCase> {};

TEST_P(RopeTest, MatchesReference) {
  const RopeCase& c = GetParam();
  size_t n = size_t(c.tokens) * c.heads * c.head_dim;
  auto x = random_floats(n, 11, -2.0f, 2.0f);
  auto positions = test_positions(c.tokens);
  vk::Buffer dx = upload_floats(x);
  vk::Buffer dpos = upload_bytes({reinterpret_cast<const uint8_t*>(positions.data()), positions.size() * 4});
  vk::Buffer dout = c.in_place ? vk::Buffer() : poisoned_floats(n);
  const vk::Buffer& result = c.in_place ? dx : dout;
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_rope(ctx(), cmd, c.config, {c.tokens, c.heads, c.head_dim}, dx.range(), dpos.range(), result.range());
  });
  // The GPU forms angles in float32 (as transformers does): at positions ~3000 the angle
  // carries ~3e-4 rad of rounding, far below what a wrong frequency would give.
  EXPECT_TRUE(all_close(download_floats(result, n), rope_reference(x, positions, c.heads, c.head_dim, c.config), {1e-4, 1.5e-3}));
}

INSTANTIATE_TEST_SUITE_P(
    Styles, RopeTest,
    ::testing::Values(
        RopeCase{"normal_full_hd64", make_config(RopeStyle::kNormal, 64, 10000), 7, 4, 64, false},
        RopeCase{"normal_decode_t1", make_config(RopeStyle::kNormal, 128, 500000), 1, 8, 128, false},
        RopeCase{"neox_full_hd128", make_config(RopeStyle::kNeox, 128, 1000000), 5, 3, 128, false},
        RopeCase{"normal_partial_16_of_24", make_config(RopeStyle::kNormal, 16, 10000), 9, 2, 24, false},
        RopeCase{"neox_partial_32_of_64", make_config(RopeStyle::kNeox, 32, 10000), 6, 4, 64, false},
        RopeCase{"neox_in_place", make_config(RopeStyle::kNeox, 64, 10000), 33, 2, 64, true},
        RopeCase{"normal_linear_x4", make_config(RopeStyle::kNormal, 64, 10000, RopeScaling::kLinear, 4.0), 5, 2, 64, false},
        RopeCase{"neox_yarn_truncated", yarn_config(RopeStyle::kNeox, 64, 150000, 32.0, 4096, true), 8, 2, 64, false},
        RopeCase{"neox_yarn_untruncated", yarn_config(RopeStyle::kNeox, 64, 150000, 32.0, 4096, false), 8, 2, 64, false},
        RopeCase{"normal_yarn_partial_64_of_192", yarn_config(RopeStyle::kNormal, 64, 10000, 40.0, 4096, true), 4, 2, 192,
                 false},
        RopeCase{"neox_yarn_small_ctx_in_place", yarn_config(RopeStyle::kNeox, 32, 10000, 8.0, 256, false), 17, 3, 32, true}),
    [](const auto& info) { return info.param.name; });

TEST_F(RopeTest, StridedSliceOfFusedRows) {
  // x rows hold [q (2 heads x 32) | k (1 head x 32)] per token; rope k only, written into a
  // separate (T, 1, 32) output.
  const uint32_t tokens = 6, row = 96;
  auto x = random_floats(size_t(tokens) * row, 21, -1.0f, 1.0f);
  auto positions = test_positions(tokens);
  vk::Buffer dx = upload_floats(x);
  vk::Buffer dpos = upload_bytes({reinterpret_cast<const uint8_t*>(positions.data()), positions.size() * 4});
  vk::Buffer dout = poisoned_floats(tokens * 32);
  RopeConfig c = make_config(RopeStyle::kNeox, 32, 10000);
  uint64_t offset = 64 * 4;
  ASSERT_EQ(offset % ctx().caps().min_storage_buffer_offset_alignment, 0u);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_rope(ctx(), cmd, c, {tokens, 1, 32, row, 32, 0, 0}, dx.range(offset, dx.size() - offset), dpos.range(),
                         dout.range());
  });
  std::vector<float> k(tokens * 32);
  for (uint32_t t = 0; t < tokens; ++t) std::copy_n(x.begin() + t * row + 64, 32, k.begin() + t * 32);
  EXPECT_TRUE(all_close(download_floats(dout, k.size()), rope_reference(k, positions, 1, 32, c), {1e-4, 1.5e-3}));
}

TEST(YarnCorrectionRange, MatchesTransformersFormula) {
  // low/high for gpt-oss's settings (head_dim 64, theta 150000, factor 32, beta 32/1,
  // original context 4096), evaluated with Python's math module from transformers'
  // find_correction_range.
  RopeConfig c = yarn_config(RopeStyle::kNeox, 64, 150000, 32.0, 4096, false);
  kernels::YarnRange r = kernels::yarn_correction_range(c);
  EXPECT_NEAR(r.low, 8.092779115512402, 1e-12);
  EXPECT_NEAR(r.high, 17.39802450158856, 1e-12);
  c.truncate = true;
  r = kernels::yarn_correction_range(c);
  EXPECT_EQ(r.low, 8.0);
  EXPECT_EQ(r.high, 18.0);
  RopeConfig small = yarn_config(RopeStyle::kNeox, 32, 10000, 8.0, 256, true);
  r = kernels::yarn_correction_range(small);
  EXPECT_EQ(r.low, 0.0);   // floor(0.4196...)
  EXPECT_EQ(r.high, 7.0);  // ceil(6.4402...)
}

TEST_F(RopeTest, RejectsBadConfigAndRanges) {
  vk::Buffer buf = poisoned_floats(64);
  auto record = [&](RopeConfig c, kernels::RopeShape s) {
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_rope(ctx(), cmd, c, s, buf.range(), buf.range(), buf.range()); });
  };
  EXPECT_THROW(record(make_config(RopeStyle::kNormal, 7, 10000), {1, 1, 8}), Error);    // odd n_rot
  EXPECT_THROW(record(make_config(RopeStyle::kNormal, 16, 10000), {1, 1, 8}), Error);   // n_rot > head_dim
  EXPECT_THROW(record(make_config(RopeStyle::kNormal, 8, 10000), {9, 1, 8}), Error);    // 72 floats > 64
  EXPECT_THROW(record(make_config(RopeStyle::kNormal, 8, 1.0), {1, 1, 8}), Error);      // base 1
  EXPECT_THROW(record(yarn_config(RopeStyle::kNeox, 8, 10000, 4.0, 0, true), {1, 1, 8}), Error);  // no original ctx
}

}  // namespace
}  // namespace vkmoe::test
