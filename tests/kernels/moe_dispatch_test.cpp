#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <random>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "engine/kernels/moe_scatter.h"
#include "engine/kernels/rms_norm.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

constexpr uint32_t kNone = 0xffffffffu;

// The grouped order written out the slow way: for each expert in turn, every entry
// (t * k + j) that chose it, in entry order.
struct Plan {
  std::vector<uint32_t> offsets, rows, sources;
};

Plan reference_plan(const std::vector<uint32_t>& ids, uint32_t n_expert) {
  Plan p;
  p.rows.assign(ids.size(), kNone);
  p.sources.assign(ids.size(), kNone);
  uint32_t next = 0;
  for (uint32_t e = 0; e < n_expert; ++e) {
    p.offsets.push_back(next);
    for (uint32_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == e) {
        p.rows[i] = next;
        p.sources[next++] = i;
      }
    }
  }
  p.offsets.push_back(next);
  return p;
}

enum class Pattern { kRandomDistinct, kOneExpert, kFewExperts, kWithInvalidIds };

const char* pattern_name(Pattern p) {
  switch (p) {
    case Pattern::kRandomDistinct: return "Random";
    case Pattern::kOneExpert: return "AllToOneExpert";
    case Pattern::kFewExperts: return "FewExpertsUsed";
    case Pattern::kWithInvalidIds: return "InvalidIds";
  }
  return "?";
}

// ids is (T, k). Distinct experts per token as a router makes them, except where the pattern
// says otherwise.
std::vector<uint32_t> make_ids(Pattern pattern, uint32_t tokens, uint32_t k, uint32_t n_expert, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> ids;
  std::vector<uint32_t> experts(n_expert);
  for (uint32_t t = 0; t < tokens; ++t) {
    for (uint32_t e = 0; e < n_expert; ++e) experts[e] = e;
    std::shuffle(experts.begin(), experts.end(), rng);
    for (uint32_t j = 0; j < k; ++j) {
      switch (pattern) {
        case Pattern::kRandomDistinct: ids.push_back(experts[j]); break;
        case Pattern::kOneExpert: ids.push_back(n_expert - 1 - j); break;  // k = 1: all on the last expert
        case Pattern::kFewExperts: ids.push_back((experts[j] % 3) * 5 % n_expert); break;
        case Pattern::kWithInvalidIds: ids.push_back(rng() % 4 == 0 ? n_expert + rng() % 1000 : experts[j]); break;
      }
    }
  }
  return ids;
}

struct DispatchCase {
  Pattern pattern;
  uint32_t tokens, k, n_expert, hidden;
};

std::string case_name(const DispatchCase& c) {
  return std::string(pattern_name(c.pattern)) + "_T" + std::to_string(c.tokens) + "_k" + std::to_string(c.k) + "_e" +
         std::to_string(c.n_expert) + "_H" + std::to_string(c.hidden);
}

// A failing case names itself, not its bytes.
void PrintTo(const DispatchCase& c, std::ostream* os) { *os << case_name(c); }

class MoeDispatchTest : public GpuTest, public ::testing::WithParamInterface<DispatchCase> {
 protected:
  vk::Buffer upload_uints(const std::vector<uint32_t>& v) {
    return upload_bytes({reinterpret_cast<const uint8_t*>(v.data()), v.size() * 4});
  }
  std::vector<uint32_t> download_uints(const vk::Buffer& b, size_t n) {
    std::vector<uint32_t> out(n);
    ctx().download(b, 0, {reinterpret_cast<uint8_t*>(out.data()), n * 4});
    return out;
  }
};

TEST_P(MoeDispatchTest, RoundTripMatchesReference) {
  auto [pattern, tokens, k, n_expert, hidden] = GetParam();
  uint32_t entries = tokens * k;
  auto ids = make_ids(pattern, tokens, k, n_expert, tokens * 31 + k);
  auto w = random_floats(entries, 8, 0.0f, 1.0f);
  Plan want = reference_plan(ids, n_expert);

  vk::Buffer d_ids = upload_uints(ids), d_w = upload_floats(w);
  const uint32_t tiles = kernels::expert_gemv_tiles(entries, n_expert);
  vk::Buffer d_offsets = poisoned_floats(n_expert + 1), d_rows = poisoned_floats(entries),
             d_sources = poisoned_floats(entries), d_tiles = poisoned_floats(2 * size_t(tiles));
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_moe_dispatch(ctx(), cmd, d_ids.range(), {d_offsets.range(), d_rows.range(), d_sources.range(), d_tiles.range()},
                                 tokens, k, n_expert);
  });
  EXPECT_EQ(download_uints(d_offsets, n_expert + 1), want.offsets);
  EXPECT_EQ(download_uints(d_rows, entries), want.rows);
  EXPECT_EQ(download_uints(d_sources, entries), want.sources);
  EXPECT_EQ(download_uints(d_tiles, 2 * size_t(tiles)), reference_gemv_tiles(want.offsets, tiles));

  // Stand-in expert outputs: grouped row r holds values unique to (expert, row), so a wrong
  // row mapping in the scatter shows up.
  auto y = random_floats(size_t(entries) * hidden, 9, -1.0f, 1.0f);
  auto base = random_floats(size_t(tokens) * hidden, 10, -1.0f, 1.0f);
  std::vector<float> sum_want(size_t(tokens) * hidden), acc_want(sum_want.size());
  for (uint32_t t = 0; t < tokens; ++t) {
    for (uint32_t h = 0; h < hidden; ++h) {
      double s = 0;
      for (uint32_t j = 0; j < k; ++j) {
        uint32_t r = want.rows[t * k + j];
        if (r != kNone) s += double(w[t * k + j]) * y[size_t(r) * hidden + h];
      }
      sum_want[size_t(t) * hidden + h] = static_cast<float>(s);
      acc_want[size_t(t) * hidden + h] = static_cast<float>(s + base[size_t(t) * hidden + h]);
    }
  }
  vk::Buffer d_y = upload_floats(y), d_out = poisoned_floats(sum_want.size()), d_acc = upload_floats(base);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_moe_scatter(ctx(), cmd, d_y.range(), d_rows.range(), d_w.range(), d_out.range(), tokens, k, hidden, false);
    kernels::record_moe_scatter(ctx(), cmd, d_y.range(), d_rows.range(), d_w.range(), d_acc.range(), tokens, k, hidden, true);
  });
  EXPECT_TRUE(all_close(download_floats(d_out, sum_want.size()), sum_want, {1e-6, 1e-6}, "scatter"));
  EXPECT_TRUE(all_close(download_floats(d_acc, acc_want.size()), acc_want, {1e-6, 1e-6}, "scatter accumulate"));

  // Fused with the next layer's norm, the scatter must give the bits of the scatter then the
  // norm, and leave the residual stream as the scatter alone does.
  auto norm_w = random_floats(hidden, 13, 0.5f, 1.5f);
  vk::Buffer d_norm_w = upload_floats(norm_w), d_fused = upload_floats(base), d_separate = upload_floats(base);
  vk::Buffer d_fused_normed = poisoned_floats(sum_want.size()), d_separate_normed = poisoned_floats(sum_want.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_moe_scatter_norm(ctx(), cmd, d_y.range(), d_rows.range(), d_w.range(), d_fused.range(), d_norm_w.range(),
                                     d_fused_normed.range(), tokens, k, hidden, 1e-6f);
    kernels::record_moe_scatter(ctx(), cmd, d_y.range(), d_rows.range(), d_w.range(), d_separate.range(), tokens, k, hidden, true);
    cmd.barrier();
    kernels::record_rms_norm(ctx(), cmd, d_separate.range(), d_norm_w.range(), d_separate_normed.range(), hidden, tokens, 1e-6f);
  });
  EXPECT_TRUE(all_close(download_floats(d_fused, acc_want.size()), download_floats(d_separate, acc_want.size()),
                        {0.0, 0.0}, "fused scatter, residual"));
  EXPECT_TRUE(all_close(download_floats(d_fused_normed, acc_want.size()), download_floats(d_separate_normed, acc_want.size()),
                        {0.0, 0.0}, "fused scatter, normed"));
}

TEST_P(MoeDispatchTest, RepeatedRunsAreBitwiseIdentical) {
  auto [pattern, tokens, k, n_expert, hidden] = GetParam();
  uint32_t entries = tokens * k;
  auto ids = make_ids(pattern, tokens, k, n_expert, 5);
  auto y = random_floats(size_t(entries) * hidden, 11);
  auto w = random_floats(entries, 12);
  vk::Buffer d_ids = upload_uints(ids), d_y = upload_floats(y), d_w = upload_floats(w);
  vk::Buffer d_offsets = poisoned_floats(n_expert + 1), d_rows = poisoned_floats(entries), d_sources = poisoned_floats(entries);
  vk::Buffer d_tiles = poisoned_floats(2 * size_t(kernels::expert_gemv_tiles(entries, n_expert)));
  std::vector<std::vector<float>> outs;
  for (int run = 0; run < 2; ++run) {
    vk::Buffer d_out = poisoned_floats(size_t(tokens) * hidden);
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_moe_dispatch(ctx(), cmd, d_ids.range(), {d_offsets.range(), d_rows.range(), d_sources.range(), d_tiles.range()},
                                   tokens, k, n_expert);
      cmd.barrier();
      kernels::record_moe_scatter(ctx(), cmd, d_y.range(), d_rows.range(), d_w.range(), d_out.range(), tokens, k, hidden, false);
    });
    outs.push_back(download_floats(d_out, size_t(tokens) * hidden));
  }
  EXPECT_EQ(0, std::memcmp(outs[0].data(), outs[1].data(), outs[0].size() * 4));
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, MoeDispatchTest,
    ::testing::Values(DispatchCase{Pattern::kRandomDistinct, 1, 2, 8, 16}, DispatchCase{Pattern::kRandomDistinct, 3, 4, 64, 33},
                      DispatchCase{Pattern::kRandomDistinct, 130, 8, 256, 20},
                      DispatchCase{Pattern::kRandomDistinct, 700, 2, 60, 5},
                      DispatchCase{Pattern::kOneExpert, 130, 1, 16, 40}, DispatchCase{Pattern::kOneExpert, 300, 2, 8, 7},
                      DispatchCase{Pattern::kFewExperts, 97, 2, 32, 1030},
                      DispatchCase{Pattern::kWithInvalidIds, 50, 4, 16, 12}),
    [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
