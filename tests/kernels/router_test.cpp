#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/moe_dispatch.h"
#include "engine/kernels/router_topk.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using kernels::RouterParams;

struct Routed {
  std::vector<uint32_t> ids;   // (T, k), best first
  std::vector<float> weights;  // (T, k)
};

// Indices of the k largest values, largest first, ties to the lower index.
std::vector<uint32_t> topk_indices(const std::vector<double>& v, uint32_t k) {
  std::vector<uint32_t> order(v.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return v[a] > v[b]; });
  order.resize(k);
  return order;
}

std::vector<double> softmax(const std::vector<double>& x) {
  double m = *std::max_element(x.begin(), x.end()), s = 0;
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) s += out[i] = std::exp(x[i] - m);
  for (auto& v : out) v /= s;
  return out;
}

// Mixtral / Qwen-MoE / OLMoE (transformers' *SparseMoeBlock): probabilities = softmax over all
// experts, take the top k, optionally divide by their sum.
Routed reference_softmax_topk(const std::vector<float>& logits, uint32_t n, uint32_t k, bool renorm) {
  Routed r;
  for (size_t t = 0; t < logits.size() / n; ++t) {
    std::vector<double> x(logits.begin() + t * n, logits.begin() + (t + 1) * n);
    auto prob = softmax(x);
    auto top = topk_indices(prob, k);
    double sum = 0;
    for (auto e : top) sum += prob[e];
    for (auto e : top) {
      r.ids.push_back(e);
      r.weights.push_back(static_cast<float>(renorm ? prob[e] / sum : prob[e]));
    }
  }
  return r;
}

// gpt-oss (transformers' GptOssTopKRouter): logits = x W^T + bias, top k of the logits, softmax
// over those k values.
Routed reference_topk_softmax(const std::vector<float>& logits, const std::vector<float>& bias, uint32_t n, uint32_t k) {
  Routed r;
  for (size_t t = 0; t < logits.size() / n; ++t) {
    std::vector<double> x(n);
    for (uint32_t e = 0; e < n; ++e) x[e] = double(logits[t * n + e]) + bias[e];
    auto top = topk_indices(x, k);
    std::vector<double> chosen;
    for (auto e : top) chosen.push_back(x[e]);
    auto w = softmax(chosen);
    for (uint32_t j = 0; j < k; ++j) {
      r.ids.push_back(top[j]);
      r.weights.push_back(static_cast<float>(w[j]));
    }
  }
  return r;
}

// DeepSeek-V3, transcribed from transformers' DeepseekV3TopkRouter (get_topk_indices and
// forward, models/deepseek_v3/modeling_deepseek_v3.py):
//   scores = sigmoid(logits); scores_for_choice = scores + e_score_correction_bias
//   group_scores = sum of the top-2 scores_for_choice within each of n_group groups
//   keep the topk_group best groups; other experts' scores_for_choice are filled with 0.0
//   topk_indices = top k of scores_for_choice; topk_weights = scores (unbiased) at those
//   if norm_topk_prob: topk_weights /= sum + 1e-20;  topk_weights *= routed_scaling_factor
Routed reference_deepseek_v3(const std::vector<float>& logits, const std::vector<float>& bias, uint32_t n, uint32_t k,
                             uint32_t n_group, uint32_t topk_group, bool norm, double scaling) {
  Routed r;
  uint32_t group_size = n / n_group;
  for (size_t t = 0; t < logits.size() / n; ++t) {
    std::vector<double> scores(n), choice(n);
    for (uint32_t e = 0; e < n; ++e) {
      scores[e] = 1.0 / (1.0 + std::exp(-double(logits[t * n + e])));
      choice[e] = scores[e] + bias[e];
    }
    std::vector<double> group_scores(n_group);
    for (uint32_t g = 0; g < n_group; ++g) {
      std::vector<double> members(choice.begin() + g * group_size, choice.begin() + (g + 1) * group_size);
      auto top2 = topk_indices(members, 2);
      group_scores[g] = members[top2[0]] + members[top2[1]];
    }
    auto kept = topk_indices(group_scores, topk_group);
    for (uint32_t e = 0; e < n; ++e) {
      if (std::find(kept.begin(), kept.end(), e / group_size) == kept.end()) choice[e] = 0.0;
    }
    auto top = topk_indices(choice, k);
    double sum = 0;
    for (auto e : top) sum += scores[e];
    for (auto e : top) {
      r.ids.push_back(e);
      r.weights.push_back(static_cast<float>((norm ? scores[e] / (sum + 1e-20) : scores[e]) * scaling));
    }
  }
  return r;
}

enum class Mode { kSoftmaxRenorm, kSoftmaxNoRenorm, kTopKSoftmaxBias, kDeepSeekV3 };

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kSoftmaxRenorm: return "SoftmaxTopKRenorm";
    case Mode::kSoftmaxNoRenorm: return "SoftmaxTopK";
    case Mode::kTopKSoftmaxBias: return "TopKSoftmaxBias";
    case Mode::kDeepSeekV3: return "DeepSeekV3Grouped";
  }
  return "?";
}

struct RouterCase {
  Mode mode;
  uint32_t n_expert, k;
};

// DeepSeek-V3's groups for n experts, top k: at most 8 groups of at least 2, about half kept,
// enough to hold k.
struct Groups {
  uint32_t n_group, topk_group;
};
Groups deepseek_groups(uint32_t n, uint32_t k) {
  const uint32_t n_group = std::min(8u, n / 2), group_size = n / n_group;
  return {n_group, std::max((n_group + 1) / 2, (k + group_size - 1) / group_size)};
}

std::string case_name(const RouterCase& c) {
  return std::string(mode_name(c.mode)) + "_e" + std::to_string(c.n_expert) + "_k" + std::to_string(c.k);
}

// A failing case names itself, not its bytes.
void PrintTo(const RouterCase& c, std::ostream* os) { *os << case_name(c); }

class RouterTest : public GpuTest, public ::testing::WithParamInterface<RouterCase> {
 protected:
  Routed run(const std::vector<float>& logits, const std::optional<std::vector<float>>& bias, uint32_t n_expert,
             const RouterParams& params) {
    uint32_t tokens = static_cast<uint32_t>(logits.size() / n_expert);
    vk::Buffer dl = upload_floats(logits);
    std::optional<vk::Buffer> db;
    if (bias) db = upload_floats(*bias);
    size_t chosen = size_t(tokens) * params.k;
    vk::Buffer ids = poisoned_floats(chosen), weights = poisoned_floats(chosen);
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      std::optional<vk::BufferRange> bias_range;
      if (db) bias_range = db->range();
      kernels::record_router_topk(ctx(), cmd, dl.range(), bias_range, ids.range(), weights.range(), tokens, n_expert, params);
    });
    Routed r;
    r.ids.resize(chosen);
    ctx().download(ids, 0, {reinterpret_cast<uint8_t*>(r.ids.data()), chosen * 4});
    r.weights = download_floats(weights, chosen);
    return r;
  }
};

TEST_P(RouterTest, MatchesReference) {
  auto [mode, n, k] = GetParam();
  for (uint32_t tokens : {1u, 3u, 130u}) {
    SCOPED_TRACE("T=" + std::to_string(tokens));
    uint32_t seed = n * 1000 + k * 10 + tokens;
    Routed want, got;
    if (mode == Mode::kSoftmaxRenorm || mode == Mode::kSoftmaxNoRenorm) {
      bool renorm = mode == Mode::kSoftmaxRenorm;
      auto logits = random_floats(size_t(tokens) * n, seed, -4.0f, 4.0f);
      want = reference_softmax_topk(logits, n, k, renorm);
      got = run(logits, std::nullopt, n, RouterParams::softmax_topk(k, renorm));
    } else if (mode == Mode::kTopKSoftmaxBias) {
      auto logits = random_floats(size_t(tokens) * n, seed, -4.0f, 4.0f);
      auto bias = random_floats(n, seed + 1, -1.0f, 1.0f);
      want = reference_topk_softmax(logits, bias, n, k);
      got = run(logits, bias, n, RouterParams::topk_softmax(k, true));
    } else {
      // Logits in [-2, 2] and biases in [-0.1, 0.1] keep every biased score positive, the
      // range where transformers' 0.0 fill and vkmoe's exclusion of dropped groups agree.
      const auto [n_group, topk_group] = deepseek_groups(n, k);
      auto logits = random_floats(size_t(tokens) * n, seed, -2.0f, 2.0f);
      auto bias = random_floats(n, seed + 1, -0.1f, 0.1f);
      want = reference_deepseek_v3(logits, bias, n, k, n_group, topk_group, true, 2.5);
      got = run(logits, bias, n, RouterParams::deepseek_v3(k, n_group, topk_group, true, 2.5f));
    }
    EXPECT_EQ(got.ids, want.ids);
    EXPECT_TRUE(all_close(got.weights, want.weights, {1e-5, 1e-5}, "weights"));
  }
}

// The case's router parameters for one token.
RouterParams one_token_params(Mode mode, uint32_t n, uint32_t k) {
  RouterParams params = RouterParams::softmax_topk(k, mode == Mode::kSoftmaxRenorm);
  if (mode == Mode::kTopKSoftmaxBias) params = RouterParams::topk_softmax(k, true);
  if (mode == Mode::kDeepSeekV3) {
    const auto [n_group, topk_group] = deepseek_groups(n, k);
    params = RouterParams::deepseek_v3(k, n_group, topk_group, true, 2.5f);
  }
  return params;
}

// What a one-token router writes, each output in its own poisoned buffer: ids, weights,
// offsets (n + 1), rows, sources, tiles (k pairs).
struct OneTokenOutputs {
  static constexpr const char* kNames[] = {"ids", "weights", "offsets", "rows", "sources", "tiles"};
  std::vector<vk::Buffer> buffers;
  std::vector<size_t> sizes;  // in words
  OneTokenOutputs(const std::function<vk::Buffer(size_t)>& poisoned_floats, uint32_t n, uint32_t k)
      : sizes{k, k, n + 1, k, k, 2 * size_t(k)} {
    for (size_t size : sizes) buffers.push_back(poisoned_floats(size));
  }
  kernels::MoeDispatchOutputs plan() const { return {buffers[2].range(), buffers[3].range(), buffers[4].range(), buffers[5].range()}; }
};

// Each output of `got` must hold the bits of the same output of `want`.
void expect_same_outputs(vk::Context& ctx, const OneTokenOutputs& got, const OneTokenOutputs& want) {
  for (size_t i = 0; i < got.buffers.size(); ++i) {
    std::vector<uint8_t> g(got.sizes[i] * 4), w(want.sizes[i] * 4);
    ctx.download(got.buffers[i], 0, g);
    ctx.download(want.buffers[i], 0, w);
    EXPECT_EQ(g, w) << OneTokenOutputs::kNames[i];
  }
}

// A decode step takes its dispatch plan from the top-k kernel (record_router_topk_and_plan):
// ids, weights and plan must be the bits of record_router_topk, then record_moe_dispatch.
TEST_P(RouterTest, OneTokenPlanIsTheDispatchKernels) {
  auto [mode, n, k] = GetParam();
  const std::vector<float> logits = random_floats(n, n * 100 + k, -4.0f, 4.0f);
  std::optional<vk::Buffer> bias;
  const RouterParams params = one_token_params(mode, n, k);
  if (params.bias_use != kernels::RouterBiasUse::kNone) bias = upload_floats(random_floats(n, n + k, -0.1f, 0.1f));
  std::optional<vk::BufferRange> bias_range;
  if (bias) bias_range = bias->range();
  const vk::Buffer dl = upload_floats(logits);
  const auto poisoned = [&](size_t words) { return poisoned_floats(words); };
  OneTokenOutputs separate(poisoned, n, k), fused(poisoned, n, k);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_router_topk(ctx(), cmd, dl.range(), bias_range, separate.buffers[0].range(), separate.buffers[1].range(), 1,
                                n, params);
    cmd.barrier();
    kernels::record_moe_dispatch(ctx(), cmd, separate.buffers[0].range(), separate.plan(), 1, k, n);
  });
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_router_topk_and_plan(ctx(), cmd, dl.range(), bias_range, fused.buffers[0].range(), fused.buffers[1].range(), n,
                                         params, fused.plan());
  });
  expect_same_outputs(ctx(), fused, separate);
}

// Each float format with the reads of both GEMV layouts.
std::vector<std::pair<TensorType, kernels::GemvLayout>> router_matmul_cases() {
  std::vector<std::pair<TensorType, kernels::GemvLayout>> cases;
  for (TensorType type : {TensorType::kF32, TensorType::kF16, TensorType::kBF16}) {
    for (auto layout : {kernels::GemvLayout::kSubgroupPerRow, kernels::GemvLayout::kRowsPerSubgroup}) cases.emplace_back(type, layout);
  }
  return cases;
}

// A decode step's router also takes its matmul (record_router_matmul_topk_and_plan), with W
// in each float format, read from storage buffers and from texel views, and a hidden size of
// 65 four-element runs: its logits must be the double-precision reference's, and its choice
// and plan the bits of the one-token router's on those logits. Two steps in one command
// buffer: the ticket must come back to zero.
TEST_P(RouterTest, RouterMatmulJoinsTheOneTokenRouter) {
  auto [mode, n, k] = GetParam();
  constexpr uint32_t kHidden = 260;
  const RouterParams params = one_token_params(mode, n, k);
  std::optional<vk::Buffer> bias;
  if (params.bias_use != kernels::RouterBiasUse::kNone) bias = upload_floats(random_floats(n, n + k, -0.1f, 0.1f));
  std::optional<vk::BufferRange> bias_range;
  if (bias) bias_range = bias->range();
  const std::vector<float> x = random_floats(kHidden, n * 7 + k);
  const auto poisoned = [&](size_t words) { return poisoned_floats(words); };
  for (const auto& [type, layout] : router_matmul_cases()) {
    SCOPED_TRACE(std::string(tensor_type_info(type).name) +
                 (layout == kernels::GemvLayout::kRowsPerSubgroup ? " texel reads" : " storage reads"));
    const std::vector<uint8_t> w_bytes = random_weight_bytes(type, kHidden, n, n * 13 + k);
    const std::vector<float> w = dequantize_rows(type, w_bytes, kHidden, n);
    std::vector<float> want_logits(n);
    for (uint32_t e = 0; e < n; ++e) {
      double sum = 0.0;
      for (uint32_t h = 0; h < kHidden; ++h) sum += double(w[size_t(e) * kHidden + h]) * x[h];
      want_logits[e] = static_cast<float>(sum);
    }
    const vk::Buffer dw = upload_bytes(w_bytes), dx = upload_floats(x), ticket = upload_floats(std::vector<float>{0.0f});
    const vk::Buffer logits = poisoned_floats(n);
    const kernels::RouterMatmul matmul{dw.range(), type, kHidden, dx.range(), ticket.range(), layout};
    ASSERT_TRUE(kernels::router_matmul_fusable(matmul));
    OneTokenOutputs fused(poisoned, n, k), on_its_logits(poisoned, n, k);
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      for (int step = 0; step < 2; ++step) {
        kernels::record_router_matmul_topk_and_plan(ctx(), cmd, matmul, logits.range(), bias_range, fused.buffers[0].range(),
                                                    fused.buffers[1].range(), n, params, fused.plan());
        cmd.barrier();
      }
      kernels::record_router_topk_and_plan(ctx(), cmd, logits.range(), bias_range, on_its_logits.buffers[0].range(),
                                           on_its_logits.buffers[1].range(), n, params, on_its_logits.plan());
    });
    EXPECT_TRUE(all_close(download_floats(logits, n), want_logits, {1e-5}, "logits"));
    expect_same_outputs(ctx(), fused, on_its_logits);
    EXPECT_EQ(download_floats(ticket, 1)[0], 0.0f) << "the ticket did not return to zero";
  }
}

std::vector<RouterCase> router_cases() {
  std::vector<RouterCase> cases;
  for (Mode m : {Mode::kSoftmaxRenorm, Mode::kSoftmaxNoRenorm, Mode::kTopKSoftmaxBias, Mode::kDeepSeekV3}) {
    // 10: experts not a multiple of the 4 a subgroup of the texel-read router matmul takes.
    for (uint32_t n : {8u, 10u, 16u, 64u, 256u}) {
      for (uint32_t k : {1u, 2u, 4u, 8u}) cases.push_back({m, n, k});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Modes, RouterTest, ::testing::ValuesIn(router_cases()),
                         [](const auto& info) { return case_name(info.param); });

class RouterEdgeTest : public RouterTest {};

TEST_F(RouterEdgeTest, TiesGoToTheLowerExpert) {
  // Experts 1, 4, 6 share the largest logit, 2 and 5 the next: order 1, 4, 6, 2, 5.
  std::vector<float> logits = {0.0f, 3.0f, 2.0f, -1.0f, 3.0f, 2.0f, 3.0f, 0.5f};
  Routed got = run(logits, std::nullopt, 8, RouterParams::softmax_topk(5, false));
  EXPECT_EQ(got.ids, (std::vector<uint32_t>{1, 4, 6, 2, 5}));
  std::vector<float> equal(16, 1.0f);
  got = run(equal, std::nullopt, 16, RouterParams::topk_softmax(4, false));
  EXPECT_EQ(got.ids, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_TRUE(all_close(got.weights, std::vector<float>(4, 0.25f), {1e-6, 1e-6}, "weights"));
}

TEST_F(RouterEdgeTest, DeepSeekKeepsOnlyTheBestGroups) {
  // 4 groups of 4. Expert 0 has the single largest score, but group 0's top-2 sum loses to
  // groups 2 and 3, so with topk_group = 2 nothing of group 0 may be chosen.
  std::vector<float> logits(16, -3.0f);
  logits[0] = 3.0f;
  logits[9] = 1.0f, logits[10] = 1.0f;
  logits[13] = 2.0f, logits[15] = 0.5f;
  std::vector<float> bias(16, 0.0f);
  Routed got = run(logits, bias, 16, RouterParams::deepseek_v3(4, 4, 2, false, 1.0f));
  EXPECT_EQ(got.ids, (std::vector<uint32_t>{13, 9, 10, 15}));
  // The bias steers the choice but the weights stay the unbiased sigmoid scores.
  bias[11] = 10.0f;
  got = run(logits, bias, 16, RouterParams::deepseek_v3(2, 4, 2, false, 1.0f));
  EXPECT_EQ(got.ids, (std::vector<uint32_t>{11, 13}));
  EXPECT_NEAR(got.weights[0], 1.0 / (1.0 + std::exp(3.0)), 1e-6);
  EXPECT_NEAR(got.weights[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
}

TEST_F(RouterEdgeTest, RejectsMisuse) {
  vk::Buffer b = poisoned_floats(1024);
  auto cmd = vk::CommandBuffer::create(ctx().device(), ctx().caps().compute_family);
  cmd->begin();
  auto record = [&](uint32_t n_expert, const RouterParams& params, bool with_bias) {
    std::optional<vk::BufferRange> bias;
    if (with_bias) bias = b.range();
    kernels::record_router_topk(ctx(), *cmd, b.range(), bias, b.range(), b.range(), 1, n_expert, params);
  };
  EXPECT_THROW(record(257, RouterParams::softmax_topk(2, true), false), Error);
  EXPECT_THROW(record(8, RouterParams::softmax_topk(17, true), false), Error);
  EXPECT_THROW(record(8, RouterParams::softmax_topk(9, true), false), Error);
  EXPECT_THROW(record(8, RouterParams::topk_softmax(2, true), false), Error);
  EXPECT_THROW(record(8, RouterParams::softmax_topk(2, true), true), Error);
  EXPECT_THROW(record(12, RouterParams::deepseek_v3(2, 5, 2, true, 1.0f), true), Error);
  EXPECT_THROW(record(16, RouterParams::deepseek_v3(8, 4, 1, true, 1.0f), true), Error);
  cmd->end();
}

}  // namespace
}  // namespace vkmoe::test
