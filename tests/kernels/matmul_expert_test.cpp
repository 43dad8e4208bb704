// Expert matmul ("matmul by id"): rows of x grouped by expert, each group multiplied by its
// expert's W found through a shuffled slot table in one weight pool. Experts with 0, 1 and
// many rows (several row tiles, partial tiles), the GEMV and every GEMM kernel, against the
// double-precision reference. Unused slots hold NaN bytes, so reading a wrong slot shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <ostream>
#include <random>
#include <string>

#include "engine/kernels/matmul.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

constexpr uint32_t kK = 256, kN = 48, kSlots = 9;

struct Case {
  TensorType type;
  std::vector<uint32_t> rows_per_expert;
  kernels::MatmulChoice choice;
  std::string label;
};

// A failing case names itself, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

// A decode step's scatter ended into the down projection (kernels::ScatterAfter): the case's
// routed rows are one token's choices, added into a residual vector, then normed.
struct ScatterRun {
  uint32_t steps = 1;             // the dispatches again in one command buffer: the ticket must reset
  std::vector<float> out, normed;  // the residual vector after the steps, and the last norm
  std::vector<float> out_want, normed_want;
  uint32_t ticket = 0;            // what the ticket holds afterwards
};

class ExpertMatmulTest : public GpuTest, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    const Case& c = GetParam();
    if (const auto why = why_not_run(ctx().caps(), c.type, c.choice)) GTEST_SKIP() << *why;
  }

  // Runs case `c` with the experts in `absent` marked kAbsentSlot in the slot table. Returns
  // the output rows and the reference, in which absent experts' rows are NaN (untouched).
  // `pool_offset` bytes precede the pool in its buffer (a window of a larger tensor).
  // With `listed`, the GEMV reads its row tiles from a list instead of walking the offsets.
  // With `sourced`, x holds the tokens' rows and routed row r reads row sources[r] / 2 (two
  // choices per token, entries shuffled, one left unrouted), as the forward pass binds them;
  // otherwise x holds the routed rows themselves. Both give every routed row the same x.
  // With `scatter`, the last dispatch scatters: the experts in `absent` are then computed by a
  // second dispatch, after a barrier, that holds only them and scatters.
  std::pair<std::vector<float>, std::vector<float>> run(const Case& c, const std::vector<uint32_t>& absent,
                                                        uint32_t pool_offset = 0, bool listed = false, bool sourced = false,
                                                        ScatterRun* scatter = nullptr) {
    const uint32_t experts = static_cast<uint32_t>(c.rows_per_expert.size());
    std::vector<uint32_t> offsets(experts + 1, 0);
    std::partial_sum(c.rows_per_expert.begin(), c.rows_per_expert.end(), offsets.begin() + 1);
    const uint32_t rows = offsets.back();

    std::vector<uint32_t> slots(kSlots);
    std::iota(slots.begin(), slots.end(), 0u);
    std::shuffle(slots.begin(), slots.end(), std::mt19937(7));
    slots.resize(experts);

    const uint64_t row_bytes = kernels::matmul_row_bytes(c.type, kK);
    const uint32_t stride = static_cast<uint32_t>((kN * row_bytes + 255) / 256 * 256);
    std::vector<uint8_t> pool(pool_offset + size_t(stride) * kSlots, 0xff);  // 0xff halves and floats are NaN
    std::vector<std::vector<float>> w(experts);
    for (uint32_t e = 0; e < experts; ++e) {
      std::vector<uint8_t> bytes = random_weight_bytes(c.type, kK, kN, 100 + e);
      std::copy(bytes.begin(), bytes.end(), pool.begin() + pool_offset + size_t(slots[e]) * stride);
      w[e] = dequantize_rows(c.type, bytes, kK, kN);
    }
    const uint32_t per_token = 2, tokens = rows / per_token + 1;
    std::vector<uint32_t> sources(size_t(tokens) * per_token);
    std::iota(sources.begin(), sources.end(), 0u);
    std::shuffle(sources.begin(), sources.end(), std::mt19937(11));
    sources.resize(rows);
    const std::vector<float> x_tokens = random_floats(size_t(tokens) * kK, 31), bias = random_floats(size_t(experts) * kN, 32);
    std::vector<float> x(size_t(rows) * kK);
    for (uint32_t r = 0; r < rows; ++r) {
      std::copy_n(x_tokens.begin() + size_t(sources[r] / per_token) * kK, kK, x.begin() + size_t(r) * kK);
    }

    std::vector<float> want;
    for (uint32_t e = 0; e < experts; ++e) {
      const size_t count = size_t(c.rows_per_expert[e]) * kN;
      if (!scatter && std::find(absent.begin(), absent.end(), e) != absent.end()) {
        want.resize(want.size() + count, std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      auto xe = std::span<const float>(x).subspan(size_t(offsets[e]) * kK, size_t(c.rows_per_expert[e]) * kK);
      auto ye = matmul_reference(w[e], xe, c.rows_per_expert[e], kK, kN, std::span<const float>(bias).subspan(e * kN, kN));
      want.insert(want.end(), ye.begin(), ye.end());
    }
    std::vector<uint32_t> only_absent(experts, kernels::kAbsentSlot);
    for (uint32_t e : absent) {
      only_absent[e] = slots[e];
      slots[e] = kernels::kAbsentSlot;
    }

    auto as_bytes = [](const std::vector<uint32_t>& v) {
      return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size() * 4);
    };
    vk::Buffer dpool = upload_bytes(pool), dx = upload_floats(sourced ? x_tokens : x), dbias = upload_floats(bias);
    vk::Buffer dsources = upload_bytes(as_bytes(sources));
    vk::Buffer doffsets = upload_bytes(as_bytes(offsets)), dslots = upload_bytes(as_bytes(slots));
    vk::Buffer dy = poisoned_floats(size_t(rows) * kN);
    kernels::ExpertWeights weights{dpool.range(pool_offset, dpool.size() - pool_offset), c.type, kK, kN, experts, stride};
    vk::Buffer dtiles = upload_bytes(as_bytes(reference_gemv_tiles(offsets, kernels::expert_gemv_tiles(rows, experts))));
    kernels::ExpertRows args{dx.range(), doffsets.range(), dslots.range(), dy.range(), rows};
    if (listed) args.gemv_tiles = dtiles.range();
    if (sourced) args.x_sources = kernels::XSources{dsources.range(), per_token};
    if (!scatter) {
      ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
        kernels::record_expert_matmul(ctx(), cmd, weights, args, dbias.range(), c.choice);
      });
      return {download_floats(dy, size_t(rows) * kN), want};
    }

    // Choice j of the token took routed row choice_rows[j] (a shuffle), with weight route[j].
    std::vector<uint32_t> choice_rows(rows);
    std::iota(choice_rows.begin(), choice_rows.end(), 0u);
    std::shuffle(choice_rows.begin(), choice_rows.end(), std::mt19937(13));
    const std::vector<float> route = random_floats(rows, 41), residual = random_floats(kN, 42);
    const std::vector<float> norm_weight = random_floats(kN, 43);
    constexpr float kEps = 1e-5f;
    std::vector<double> out(residual.begin(), residual.end());
    std::vector<double> normed(kN);
    for (uint32_t step = 0; step < scatter->steps; ++step) {
      double sum_sq = 0.0;
      for (uint32_t h = 0; h < kN; ++h) {
        for (uint32_t j = 0; j < rows; ++j) out[h] += double(route[j]) * want[size_t(choice_rows[j]) * kN + h];
        sum_sq += out[h] * out[h];
      }
      const double scale = 1.0 / std::sqrt(sum_sq / kN + kEps);
      for (uint32_t h = 0; h < kN; ++h) normed[h] = out[h] * scale * norm_weight[h];
    }
    scatter->out_want.assign(out.begin(), out.end());
    scatter->normed_want.assign(normed.begin(), normed.end());

    vk::Buffer dchoice_rows = upload_bytes(as_bytes(choice_rows)), droute = upload_floats(route);
    vk::Buffer dout = upload_floats(residual), dnorm_weight = upload_floats(norm_weight);
    vk::Buffer dnormed = poisoned_floats(kN), dticket = upload_bytes(as_bytes({0u}));
    vk::Buffer donly_absent = upload_bytes(as_bytes(only_absent));
    const kernels::ScatterAfter after{dchoice_rows.range(), droute.range(), dout.range(), dnorm_weight.range(),
                                      dnormed.range(), dticket.range(), kEps};
    kernels::ExpertRows second = args;
    second.slot_table = donly_absent.range();
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      for (uint32_t step = 0; step < scatter->steps; ++step) {
        if (absent.empty()) {
          kernels::record_expert_matmul(ctx(), cmd, weights, args, dbias.range(), c.choice, after);
        } else {
          kernels::record_expert_matmul(ctx(), cmd, weights, args, dbias.range(), c.choice);
          cmd.barrier();
          kernels::record_expert_matmul(ctx(), cmd, weights, second, dbias.range(), c.choice, after);
        }
        cmd.barrier();
      }
    });
    scatter->out = download_floats(dout, kN);
    scatter->normed = download_floats(dnormed, kN);
    scatter->ticket = std::bit_cast<uint32_t>(download_floats(dticket, 1)[0]);
    return {download_floats(dy, size_t(rows) * kN), want};
  }
};

TEST_P(ExpertMatmulTest, MatchesReference) {
  auto [got, want] = run(GetParam(), {});
  EXPECT_TRUE(all_close(got, want, {1e-5}));
}

TEST_P(ExpertMatmulTest, PoolAtAnUnalignedOffset) {
  auto [got, want] = run(GetParam(), {}, 4);
  EXPECT_TRUE(all_close(got, want, {1e-5}));
}

// The forward pass hands the GEMV the tiles record_moe_dispatch lists; the GEMM ignores them.
TEST_P(ExpertMatmulTest, ListedTilesGiveTheSameBits) {
  auto [walked, want] = run(GetParam(), {2, 5});
  auto [listed, unused] = run(GetParam(), {2, 5}, 0, true);
  ASSERT_EQ(listed.size(), walked.size());
  // Bits, not values: the absent experts' rows must stay the same NaN poison.
  EXPECT_EQ(0, std::memcmp(listed.data(), walked.data(), listed.size() * sizeof(float)));
}

// The forward pass binds the tokens' x with the dispatch's sources instead of gathering it.
TEST_P(ExpertMatmulTest, SourcedRowsGiveTheSameBits) {
  for (bool listed : {false, true}) {
    auto [gathered, want] = run(GetParam(), {2, 5}, 0, listed);
    auto [sourced, unused] = run(GetParam(), {2, 5}, 0, listed, true);
    ASSERT_EQ(sourced.size(), gathered.size());
    EXPECT_EQ(0, std::memcmp(sourced.data(), gathered.data(), sourced.size() * sizeof(float))) << (listed ? "listed" : "walked")
                                                                                                 << " tiles";
  }
}

// Expert streaming splits a layer's experts over several dispatches (VRAM banks, host memory,
// waves of uploads); each dispatch must compute exactly the rows of the experts it holds.
TEST_P(ExpertMatmulTest, AbsentExpertsLeaveTheirRowsUntouched) {
  auto [got, want] = run(GetParam(), {2, 5});
  ASSERT_EQ(got.size(), want.size());
  std::vector<float> got_present, want_present;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "row element " << i << " of an absent expert was written";
    } else {
      got_present.push_back(got[i]);
      want_present.push_back(want[i]);
    }
  }
  EXPECT_TRUE(all_close(got_present, want_present, {1e-5}));
}

// The scatter epilogue runs on the GEMV only: its cases.
class ExpertScatterAfterTest : public ExpertMatmulTest {};

// The routed rows are untouched by the epilogue, and the last workgroup adds exactly their
// weighted sum and norms the result, with the experts in one dispatch or two.
TEST_P(ExpertScatterAfterTest, ScattersTheRowsItComputed) {
  for (const std::vector<uint32_t>& absent : {std::vector<uint32_t>{}, std::vector<uint32_t>{2, 5}}) {
    SCOPED_TRACE(absent.empty() ? "one dispatch" : "two dispatches");
    ScatterRun scatter;
    auto [rows, rows_want] = run(GetParam(), absent, 0, true, false, &scatter);
    EXPECT_TRUE(all_close(rows, rows_want, {1e-5}, "routed rows"));
    EXPECT_TRUE(all_close(scatter.out, scatter.out_want, {1e-5}, "residual"));
    EXPECT_TRUE(all_close(scatter.normed, scatter.normed_want, {1e-5}, "normed"));
    EXPECT_EQ(scatter.ticket, 0u);
  }
}

// Three steps in one command buffer: each must find the ticket back at zero, or a step would
// scatter early (from rows not yet written) or never.
TEST_P(ExpertScatterAfterTest, TicketReturnsToZeroEachStep) {
  ScatterRun scatter;
  scatter.steps = 3;
  run(GetParam(), {2, 5}, 0, true, false, &scatter);
  EXPECT_TRUE(all_close(scatter.out, scatter.out_want, {1e-5}, "residual after 3 steps"));
  EXPECT_TRUE(all_close(scatter.normed, scatter.normed_want, {1e-5}, "normed after 3 steps"));
  EXPECT_EQ(scatter.ticket, 0u);
}

std::vector<Case> cases() {
  const std::pair<const char*, std::vector<uint32_t>> routings[] = {
      {"decode", {0, 1, 3, 0, 2, 1}},          // a few rows per expert, some experts idle
      {"several_tiles", {0, 1, 9, 0, 17, 2}},  // experts over one GEMV tile of 8 rows
      {"prefill", {0, 1, 70, 5, 0, 140}},      // experts over one GEMM tile of 64 rows
  };
  std::vector<Case> out;
  for (TensorType t : {TensorType::kF32, TensorType::kF16, TensorType::kBF16, TensorType::kQ8_0, TensorType::kQ4_0,
                       TensorType::kQ4_K, TensorType::kQ6_K, TensorType::kMXFP4}) {
    for (const auto& [label, rows] : routings) {
      const std::string name = std::string(tensor_type_info(t).name) + "_" + label;
      out.push_back({t, rows, {kernels::MatmulPath::kGemv, kernels::GemvLayout::kSubgroupPerRow}, name + "_gemv_subgroup_per_row"});
      out.push_back({t, rows, {kernels::MatmulPath::kGemv, kernels::GemvLayout::kRowsPerSubgroup}, name + "_gemv_rows_per_subgroup"});
      // The cooperative-matrix kernel proper takes the prefill routing (its fragment operations
      // are all that differ from the lanes' kernel).
      for (auto kernel : {kernels::GemmKernel::kScalar, kernels::GemmKernel::kCoopmatOnLanes, kernels::GemmKernel::kCoopmat}) {
        if (kernel == kernels::GemmKernel::kCoopmat && std::string(label) != "prefill") continue;
        out.push_back({t, rows, {kernels::MatmulPath::kGemm, kernels::GemvLayout::kAuto, kernel}, name + gemm_kernel_suffix(kernel)});
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Routings, ExpertMatmulTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.label; });

std::vector<Case> scatter_cases() {
  std::vector<Case> out;
  for (const Case& c : cases()) {
    if (c.choice.path == kernels::MatmulPath::kGemv && c.label.find("prefill") == std::string::npos) out.push_back(c);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Routings, ExpertScatterAfterTest, ::testing::ValuesIn(scatter_cases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace vkmoe::test
