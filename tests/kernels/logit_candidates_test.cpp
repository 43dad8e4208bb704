// The sampler's candidates kernel against a plain CPU reference of its contract: max, weight
// total, floor, the exact set of tokens at or above the floor, and the window's logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/logit_candidates.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr uint32_t kPoison = 0xdeadbeefu;

uint32_t bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}

struct Candidates {
  uint32_t listed = 0;
  float max_logit = 0, weight_total = 0, floor_logit = 0;
  std::vector<float> window_logits;
  std::set<std::pair<uint32_t, uint32_t>> entries;  // (id, logit bits)
};

// The kernel's contract, computed here: the max and Σ exp((x − max) / T) over non-NaN logits
// (in double), and the floor from the sub-chunks the shader's header defines.
Candidates reference(const std::vector<float>& x, const kernels::LogitCandidatesParams& params,
                     const std::vector<uint32_t>& window) {
  const uint32_t n = static_cast<uint32_t>(x.size());
  Candidates c;
  c.max_logit = -kInf;
  for (float v : x) {
    if (!std::isnan(v)) c.max_logit = std::max(c.max_logit, v);
  }
  const float inv_t = 1.0f / params.temperature;
  double total = 0.0;
  for (float v : x) {
    if (!std::isnan(v) && c.max_logit > -kInf && params.weight_total) total += std::exp(double(v - c.max_logit) * inv_t);
  }
  c.weight_total = static_cast<float>(total);
  // Sub-chunk of token t: workgroup t / 4096, then (t mod 64) / 4 within it.
  const uint32_t groups = (n + 4095) / 4096;
  std::vector<float> sub_max(size_t(groups) * 16, -kInf);
  for (uint32_t t = 0; t < n; ++t) {
    if (std::isnan(x[t])) continue;
    float& m = sub_max[(t / 4096) * 16 + (t % 64) / 4];
    m = std::max(m, x[t]);
  }
  c.floor_logit = c.max_logit - params.margin;
  if (params.min_count > 0) {
    float kth = -kInf;
    if (params.min_count <= sub_max.size()) {
      std::sort(sub_max.begin(), sub_max.end(), std::greater<>());
      kth = sub_max[params.min_count - 1];
    }
    c.floor_logit = std::min(c.floor_logit, kth);
  }
  for (uint32_t t = 0; t < n; ++t) {
    if (x[t] >= c.floor_logit) c.entries.insert({t, bits(x[t])});
  }
  c.listed = static_cast<uint32_t>(c.entries.size());
  for (uint32_t id : window) c.window_logits.push_back(id < n ? x[id] : kNaN);
  return c;
}

struct Case {
  std::string name;
  uint32_t n;
  float temperature;
  float margin;
  uint32_t min_count;
  uint32_t capacity;
  bool nans;
  bool weight_total = true;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LogitCandidatesTest : public GpuTest {
 protected:
  struct Run {
    uint32_t listed;
    float max_logit, weight_total, floor_logit;
    std::vector<float> window_logits;
    std::vector<uint32_t> words;  // the whole result buffer
  };

  // Runs the kernel on `scratch` (zeroed once by the caller) and returns the result buffer,
  // every word of it poisoned before the run except the window ids.
  Run run(const std::vector<float>& x, const kernels::LogitCandidatesLayout& layout,
          const kernels::LogitCandidatesParams& params, const std::vector<uint32_t>& window, const vk::Buffer& scratch) {
    std::vector<uint32_t> init(layout.result_bytes() / 4, kPoison);
    std::copy(window.begin(), window.end(), init.begin() + layout.window_ids_word());
    vk::Buffer dx = upload_floats(x);
    vk::Buffer result = upload_bytes({reinterpret_cast<const uint8_t*>(init.data()), init.size() * 4});
    const uint32_t n = static_cast<uint32_t>(x.size());
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_logit_candidates(ctx(), cmd, dx.range(), scratch.range(), result.range(), n, layout, params);
    });
    Run r;
    r.words.resize(init.size());
    ctx().download(result, 0, {reinterpret_cast<uint8_t*>(r.words.data()), r.words.size() * 4});
    r.listed = r.words[0];
    std::memcpy(&r.max_logit, &r.words[1], 4);
    std::memcpy(&r.weight_total, &r.words[2], 4);
    std::memcpy(&r.floor_logit, &r.words[3], 4);
    for (size_t i = 0; i < window.size(); ++i) {
      float v;
      std::memcpy(&v, &r.words[layout.window_logits_word() + i], 4);
      r.window_logits.push_back(v);
    }
    return r;
  }

  vk::Buffer zeroed_scratch(uint32_t n) {
    vk::Buffer s = ctx().create_buffer(kernels::LogitCandidatesLayout::scratch_bytes(n));
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { cmd.fill(s.range(), 0); });
    return s;
  }

  // Checks one run against the reference: every statistic, the listed set (a subset of it
  // when it overflowed the capacity), and that nothing past the written entries or the window
  // was touched.
  void expect_matches(const Run& r, const Candidates& want, const kernels::LogitCandidatesLayout& layout,
                      size_t window_size) {
    EXPECT_EQ(bits(r.max_logit), bits(want.max_logit));
    // Float partial sums over up to 2^18 terms against a double sum: 1e-5 relative.
    EXPECT_NEAR(r.weight_total, want.weight_total, 1e-5 * want.weight_total);
    EXPECT_EQ(bits(r.floor_logit), bits(want.floor_logit)) << r.floor_logit << " vs " << want.floor_logit;
    EXPECT_EQ(r.listed, want.listed);
    const uint32_t written = std::min(r.listed, layout.capacity);
    std::set<std::pair<uint32_t, uint32_t>> got;
    for (uint32_t i = 0; i < written; ++i) {
      const uint64_t w = layout.entries_word() + 2ull * i;
      got.insert({r.words[w], r.words[w + 1]});
    }
    EXPECT_EQ(got.size(), written) << "an entry was written twice or left unwritten";
    if (r.listed <= layout.capacity) {
      EXPECT_EQ(got, want.entries);
    } else {
      for (const auto& e : got) EXPECT_TRUE(want.entries.count(e)) << "token " << e.first << " is below the floor";
    }
    for (uint64_t w = layout.entries_word() + 2ull * written; w < r.words.size(); ++w) {
      ASSERT_EQ(r.words[w], kPoison) << "entry word " << w - layout.entries_word() << " past the listed ones was written";
    }
    for (uint64_t i = window_size; i < layout.window_capacity; ++i) {
      ASSERT_EQ(r.words[layout.window_logits_word() + i], kPoison) << "window logit " << i << " past the window";
    }
    ASSERT_EQ(r.window_logits.size(), want.window_logits.size());
    for (size_t i = 0; i < window_size; ++i) {
      if (std::isnan(want.window_logits[i])) {
        EXPECT_TRUE(std::isnan(r.window_logits[i])) << "window " << i;
      } else {
        EXPECT_EQ(bits(r.window_logits[i]), bits(want.window_logits[i])) << "window " << i;
      }
    }
  }
};

// Logits in [-12, 12] with a handful of planted ties at the top, and NaN sprinkled in some.
std::vector<float> logits_for(const Case& c) {
  auto x = random_floats(c.n, c.n * 7 + c.min_count, -12.0f, 12.0f);
  for (uint32_t i = 0; i < std::min<uint32_t>(c.n, 5); ++i) x[(uint64_t(i) * 7919u + 3u) % c.n] = 14.0f;
  if (c.nans) {
    for (uint32_t t = 11; t < c.n; t += 997) x[t] = kNaN;
  }
  return x;
}

std::vector<uint32_t> window_for(uint32_t n) { return {0, n - 1, n / 2, n / 3, n / 2, n + 5}; }

class LogitCandidatesCaseTest : public LogitCandidatesTest, public ::testing::WithParamInterface<Case> {};

TEST_P(LogitCandidatesCaseTest, MatchesReference) {
  const Case& c = GetParam();
  const auto x = logits_for(c);
  kernels::LogitCandidatesLayout layout;
  layout.window_capacity = 8;
  layout.capacity = c.capacity;
  const auto window = window_for(c.n);
  const kernels::LogitCandidatesParams params{c.temperature, c.weight_total, c.margin, c.min_count,
                                              static_cast<uint32_t>(window.size())};
  vk::Buffer scratch = zeroed_scratch(c.n);
  expect_matches(run(x, layout, params, window, scratch), reference(x, params, window), layout, window.size());
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, LogitCandidatesCaseTest,
    ::testing::Values(
        Case{"n1_margin", 1, 1.0f, 2.0f, 0, 64, false}, Case{"n300_margin3_t07", 300, 0.7f, 3.0f, 0, 64, false},
        Case{"n4096_count40", 4096, 0.8f, 0.0f, 40, 512, false}, Case{"n4097_count1", 4097, 1.0f, 0.0f, 1, 64, true},
        Case{"n151936_count40_nan", 151936, 0.8f, 0.0f, 40, 4096, true},
        Case{"n151936_count40_no_total", 151936, 0.8f, 0.0f, 40, 4096, false, false},
        Case{"n151936_margin1", 151936, 1.3f, 1.0f, 0, 4096, false},
        Case{"n151936_count608_all_subchunks", 151936, 1.0f, 0.0f, 608, 65536, false},
        Case{"n151936_margin_and_count", 151936, 1.0f, 0.5f, 200, 4096, false},
        Case{"n131075_overflow", 131075, 1.0f, 6.0f, 0, 1000, true},
        Case{"n5000_count_past_subchunks_lists_all", 5000, 1.0f, 0.0f, 33, 8192, true}),
    [](const auto& info) { return info.param.name; });

TEST_F(LogitCandidatesTest, ScratchServesStepAfterStep) {
  // The tickets and the list counter return to zero, so the same scratch serves the next
  // step; a leftover ticket would leave the next step without its last workgroup.
  const uint32_t n = 40000;
  kernels::LogitCandidatesLayout layout;
  layout.window_capacity = 4;
  layout.capacity = 2048;
  vk::Buffer scratch = zeroed_scratch(n);
  for (uint32_t step = 0; step < 3; ++step) {
    const auto x = random_floats(n, 100 + step, -5.0f, 5.0f + step);
    const std::vector<uint32_t> window = {step, n - 1 - step};
    const kernels::LogitCandidatesParams params{1.0f, true, 0.0f, 30, 2};
    SCOPED_TRACE("step " + std::to_string(step));
    expect_matches(run(x, layout, params, window, scratch), reference(x, params, window), layout, window.size());
  }
}

TEST_F(LogitCandidatesTest, AllNaNListsNothingAndReportsNoMax) {
  const std::vector<float> x(700, kNaN);
  kernels::LogitCandidatesLayout layout;
  layout.window_capacity = 2;
  layout.capacity = 16;
  const kernels::LogitCandidatesParams params{1.0f, true, 4.0f, 0, 1};
  const Run r = run(x, layout, params, {3}, zeroed_scratch(700));
  EXPECT_EQ(r.max_logit, -kInf);
  EXPECT_EQ(r.weight_total, 0.0f);
  EXPECT_EQ(r.listed, 0u);
  EXPECT_TRUE(std::isnan(r.window_logits[0]));
}

}  // namespace
}  // namespace vkmoe::test
