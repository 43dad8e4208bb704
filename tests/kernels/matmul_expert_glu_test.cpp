// The gated expert GEMV: gate and up of each routed row with SwiGLU (or gpt-oss's clamped
// SwiGLU) in one pass. Against the double-precision reference, and bit for bit against what
// it replaces in the forward pass: two expert matmuls on the same GEMV layout, then the
// activation kernel. Gate and up live in different buffers at unaligned offsets, with slots
// shuffled and unused slots holding NaN bytes; N is not a multiple of any tile width.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <ostream>
#include <random>
#include <string>

#include "engine/kernels/activation.h"
#include "engine/kernels/matmul.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

constexpr uint32_t kN = 45, kSlots = 9;

struct Case {
  TensorType type;
  uint32_t k;
  std::vector<uint32_t> rows_per_expert;
  kernels::GemvLayout layout;
  bool clamped;
  bool bias;
  std::string label;
};

// A failing case names itself, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double act_reference(double g, double u, bool clamped) {
  if (!clamped) return g * sigmoid(g) * u;
  g = std::min(g, 7.0);
  u = std::clamp(u, -7.0, 7.0);
  return (u + 1.0) * g * sigmoid(1.702 * g);
}

// One expert pool: every expert's W in a shuffled slot, NaN bytes elsewhere.
struct Pool {
  std::vector<uint8_t> bytes;
  std::vector<std::vector<float>> experts;  // dequantized W per expert
  uint32_t stride = 0;
};

Pool make_pool(TensorType type, uint32_t k, const std::vector<uint32_t>& slots, uint32_t offset, uint32_t seed) {
  Pool pool;
  const uint64_t row_bytes = kernels::matmul_row_bytes(type, k);
  pool.stride = static_cast<uint32_t>((kN * row_bytes + 255) / 256 * 256);
  pool.bytes.assign(offset + size_t(pool.stride) * kSlots, 0xff);  // 0xff halves and floats are NaN
  for (size_t e = 0; e < slots.size(); ++e) {
    std::vector<uint8_t> w = random_weight_bytes(type, k, kN, seed + static_cast<uint32_t>(e));
    std::copy(w.begin(), w.end(), pool.bytes.begin() + offset + size_t(slots[e]) * pool.stride);
    pool.experts.push_back(dequantize_rows(type, w, k, kN));
  }
  return pool;
}

class ExpertGluTest : public GpuTest, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    const Case& c = GetParam();
    experts_ = static_cast<uint32_t>(c.rows_per_expert.size());
    offsets_.assign(experts_ + 1, 0);
    std::partial_sum(c.rows_per_expert.begin(), c.rows_per_expert.end(), offsets_.begin() + 1);
    rows_ = offsets_.back();
    slots_.resize(kSlots);
    std::iota(slots_.begin(), slots_.end(), 0u);
    std::shuffle(slots_.begin(), slots_.end(), std::mt19937(7));
    slots_.resize(experts_);
    gate_ = make_pool(c.type, c.k, slots_, 4, 100);
    up_ = make_pool(c.type, c.k, slots_, 12, 200);
    // Two choices per token, entries shuffled, one left unrouted; x_ holds each routed row's
    // token row, as a gather would.
    const uint32_t tokens = rows_ / kChoicesPerToken + 1;
    sources_.resize(size_t(tokens) * kChoicesPerToken);
    std::iota(sources_.begin(), sources_.end(), 0u);
    std::shuffle(sources_.begin(), sources_.end(), std::mt19937(11));
    sources_.resize(rows_);
    x_tokens_ = random_floats(size_t(tokens) * c.k, 31);
    x_.resize(size_t(rows_) * c.k);
    for (uint32_t r = 0; r < rows_; ++r) {
      std::copy_n(x_tokens_.begin() + size_t(sources_[r] / kChoicesPerToken) * c.k, c.k, x_.begin() + size_t(r) * c.k);
    }
    // Wide enough that the clamp bites on some elements.
    gate_bias_ = random_floats(size_t(experts_) * kN, 32, -8.0f, 8.0f);
    up_bias_ = random_floats(size_t(experts_) * kN, 33, -8.0f, 8.0f);
  }

  // act(gate, up) per routed row; NaN for rows of `absent` experts, which stay untouched.
  std::vector<float> reference(const std::vector<uint32_t>& absent) const {
    const Case& c = GetParam();
    std::vector<float> want;
    for (uint32_t e = 0; e < experts_; ++e) {
      const uint32_t rows = c.rows_per_expert[e];
      if (std::find(absent.begin(), absent.end(), e) != absent.end()) {
        want.resize(want.size() + size_t(rows) * kN, std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      auto xe = std::span<const float>(x_).subspan(size_t(offsets_[e]) * c.k, size_t(rows) * c.k);
      auto bias = [&](const std::vector<float>& b) {
        return c.bias ? std::span<const float>(b).subspan(e * kN, kN) : std::span<const float>();
      };
      auto g = matmul_reference(gate_.experts[e], xe, rows, c.k, kN, bias(gate_bias_));
      auto u = matmul_reference(up_.experts[e], xe, rows, c.k, kN, bias(up_bias_));
      for (size_t i = 0; i < g.size(); ++i) want.push_back(static_cast<float>(act_reference(g[i], u[i], c.clamped)));
    }
    return want;
  }

  struct Outputs {
    std::vector<float> fused, separate;
  };

  // The fused kernel's output, reading its row tiles from a list and the tokens' x through the
  // sources as in the forward pass, and gate and up matmuls over the gathered rows (walking the
  // offsets) followed by the activation kernel.
  Outputs run(const std::vector<uint32_t>& absent) {
    const Case& c = GetParam();
    std::vector<uint32_t> table = slots_;
    for (uint32_t e : absent) table[e] = kernels::kAbsentSlot;
    auto as_bytes = [](const std::vector<uint32_t>& v) {
      return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size() * 4);
    };
    vk::Buffer dgate = upload_bytes(gate_.bytes), dup = upload_bytes(up_.bytes), dx = upload_floats(x_);
    vk::Buffer dx_tokens = upload_floats(x_tokens_), dsources = upload_bytes(as_bytes(sources_));
    vk::Buffer dgate_bias = upload_floats(gate_bias_), dup_bias = upload_floats(up_bias_);
    vk::Buffer doffsets = upload_bytes(as_bytes(offsets_)), dslots = upload_bytes(as_bytes(table));
    vk::Buffer dtiles = upload_bytes(as_bytes(reference_gemv_tiles(offsets_, kernels::expert_gemv_tiles(rows_, experts_))));
    const size_t count = size_t(rows_) * kN;
    vk::Buffer fused = poisoned_floats(count), gate_out = poisoned_floats(count), up_out = poisoned_floats(count);
    kernels::ExpertGluWeights w{{dgate.range(4, dgate.size() - 4), c.type, c.k, kN, experts_, gate_.stride},
                                {dup.range(12, dup.size() - 12), c.type, c.k, kN, experts_, up_.stride},
                                std::nullopt, std::nullopt};
    if (c.bias) {
      w.gate_bias = dgate_bias.range();
      w.up_bias = dup_bias.range();
    }
    const kernels::GluActivation act{c.clamped, 1.702f, 7.0f};
    const kernels::MatmulChoice gemv{kernels::MatmulPath::kGemv, c.layout};
    auto rows_into = [&](const vk::Buffer& y) {
      return kernels::ExpertRows{dx.range(), doffsets.range(), dslots.range(), y.range(), rows_};
    };
    kernels::ExpertRows listed = rows_into(fused);
    listed.x = dx_tokens.range();
    listed.x_sources = kernels::XSources{dsources.range(), kChoicesPerToken};
    listed.gemv_tiles = dtiles.range();
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_expert_glu_matmul(ctx(), cmd, w, listed, act, c.layout);
      kernels::record_expert_matmul(ctx(), cmd, w.gate, rows_into(gate_out), w.gate_bias, gemv);
      kernels::record_expert_matmul(ctx(), cmd, w.up, rows_into(up_out), w.up_bias, gemv);
      cmd.barrier();
      if (c.clamped) {
        kernels::record_clamped_swiglu(ctx(), cmd, gate_out.range(), up_out.range(), gate_out.range(), count, {1.702f, 7.0f});
      } else {
        kernels::record_swiglu(ctx(), cmd, gate_out.range(), up_out.range(), gate_out.range(), count);
      }
    });
    return {download_floats(fused, count), download_floats(gate_out, count)};
  }

  uint32_t experts_ = 0, rows_ = 0;
  static constexpr uint32_t kChoicesPerToken = 2;
  std::vector<uint32_t> offsets_, slots_, sources_;
  Pool gate_, up_;
  std::vector<float> x_tokens_, x_, gate_bias_, up_bias_;
};

// Against the reference, and bit for bit against the unfused path: the forward pass takes the
// fused kernel for decode and the separate ones for long prompts, and a token's logits must
// not depend on which.
TEST_P(ExpertGluTest, MatchesReferenceAndTheUnfusedPathBitForBit) {
  Outputs out = run({});
  EXPECT_TRUE(all_close(out.fused, reference({}), {1e-5}));
  EXPECT_TRUE(all_close(out.fused, out.separate, {0.0, 0.0}, "gated GEMV against matmuls + activation"));
}

// Expert streaming splits a layer's experts over several dispatches; each writes only the rows
// of the experts it holds.
TEST_P(ExpertGluTest, AbsentExpertsLeaveTheirRowsUntouched) {
  Outputs out = run({2, 5});
  const std::vector<float> want = reference({2, 5});
  ASSERT_EQ(out.fused.size(), want.size());
  std::vector<float> got_present, want_present;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(out.fused[i])) << "row element " << i << " of an absent expert was written";
    } else {
      got_present.push_back(out.fused[i]);
      want_present.push_back(want[i]);
    }
  }
  EXPECT_TRUE(all_close(got_present, want_present, {1e-5}));
}

std::vector<Case> cases() {
  // K not a multiple of 256 where the block allows it; F32 rows end in a K % 8 tail.
  const std::pair<TensorType, uint32_t> formats[] = {
      {TensorType::kF32, 259}, {TensorType::kF16, 264}, {TensorType::kBF16, 256}, {TensorType::kQ8_0, 96},
      {TensorType::kQ4_0, 160}, {TensorType::kQ5_1, 64},  {TensorType::kQ4_K, 256}, {TensorType::kQ6_K, 512},
      {TensorType::kMXFP4, 96}};
  const std::pair<const char*, kernels::GemvLayout> layouts[] = {
      {"subgroup_per_row", kernels::GemvLayout::kSubgroupPerRow}, {"rows_per_subgroup", kernels::GemvLayout::kRowsPerSubgroup}};
  std::vector<Case> out;
  for (const auto& [type, k] : formats) {
    for (const auto& [layout_name, layout] : layouts) {
      const std::string name = std::string(tensor_type_info(type).name) + "_k" + std::to_string(k) + "_" + layout_name;
      out.push_back({type, k, {0, 0, 1, 0, 0, 0}, layout, false, false, name + "_one_row_swiglu"});
      // A few rows per expert, some experts idle: a decode step.
      out.push_back({type, k, {0, 1, 3, 0, 2, 1}, layout, false, true, name + "_decode_swiglu_with_bias"});
      // Experts over one GEMV tile of 8 rows.
      out.push_back({type, k, {0, 1, 9, 0, 17, 2}, layout, true, true, name + "_several_tiles_clamped_with_bias"});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Routings, ExpertGluTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.label; });

// Gate and up of different formats cannot share one gated GEMV: the forward pass falls back to
// separate matmuls, and the kernel refuses them.
TEST(ExpertGluFusable, NeedsMatchingGateAndUp) {
  using kernels::GemvLayout;
  kernels::ExpertWeights q4{{}, TensorType::kQ4_K, 256, 64, 8, 64 * 144};
  kernels::ExpertWeights q6{{}, TensorType::kQ6_K, 256, 64, 8, 64 * 210};
  for (GemvLayout layout : {GemvLayout::kSubgroupPerRow, GemvLayout::kRowsPerSubgroup}) {
    EXPECT_TRUE(kernels::expert_glu_fusable({q4, q4, std::nullopt, std::nullopt}, 8, layout));
    EXPECT_FALSE(kernels::expert_glu_fusable({q4, q6, std::nullopt, std::nullopt}, 8, layout));
    EXPECT_FALSE(kernels::expert_glu_fusable({q4, q4, vk::BufferRange{}, std::nullopt}, 8, layout));
  }
  // 8 experts with 9 rows each on average: the GEMM's rows on a GPU; the CPU-driver layout
  // takes any number.
  EXPECT_FALSE(kernels::expert_glu_fusable({q4, q4, std::nullopt, std::nullopt}, 72, GemvLayout::kSubgroupPerRow));
  EXPECT_TRUE(kernels::expert_glu_fusable({q4, q4, std::nullopt, std::nullopt}, 72, GemvLayout::kRowsPerSubgroup));
}

}  // namespace
}  // namespace vkmoe::test
