#pragma once
// Router top-k: turns router logits into each token's chosen experts and their weights.
// logits is (T, n_expert) float; ids is (T, k) uint32; weights is (T, k) float.
//
// One kernel covers every supported router through four choices, applied in this order:
//   1. logits (+ bias, when bias_use is kAddToLogits, as gpt-oss's router bias)
//   2. scores = softmax over all experts | sigmoid | the logits themselves
//   3. selection key = score (+ bias, when bias_use is kAddForSelection, as DeepSeek-V3's
//      e_score_correction_bias); with n_group > 1 the experts are split into n_group equal
//      groups, each group scored by the sum of its group_top_n best keys, and only the
//      topk_group best groups stay eligible; then the k best eligible keys are chosen
//   4. weights = the chosen experts' scores (never the biased keys), then normalised
//      (none | divided by their sum | softmax over the k), then multiplied by `scale`.
// Ties in every ranking go to the lower index (lower expert or group number), so results are
// deterministic; torch.topk leaves tie order unspecified. The k choices of a token are written
// best first. NaN logits rank as -inf. Experts of groups that were not kept never get chosen
// (transformers' DeepseekV3TopkRouter fills their keys with 0.0 rather than excluding them;
// the two agree whenever the k best kept keys are positive, as DeepSeek-V3's sigmoid scores
// plus its small correction biases are).
#include <cstdint>
#include <optional>

#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::kernels {

enum class RouterScore : uint32_t { kSoftmax = 0, kSigmoid = 1, kLogits = 2 };
enum class RouterBiasUse : uint32_t { kNone = 0, kAddToLogits = 1, kAddForSelection = 2 };
enum class RouterWeightNorm : uint32_t { kNone = 0, kSumToOne = 1, kSoftmaxOverChosen = 2 };

struct RouterParams {
  uint32_t k = 1;
  RouterScore score = RouterScore::kSoftmax;
  RouterBiasUse bias_use = RouterBiasUse::kNone;
  RouterWeightNorm norm = RouterWeightNorm::kNone;
  uint32_t n_group = 1;      // 1: no group limit
  uint32_t topk_group = 1;   // groups kept when n_group > 1
  uint32_t group_top_n = 2;  // keys summed per group score (DeepSeek-V3: 2; V2: 1, the max)
  float scale = 1.0f;

  // Mixtral, Qwen3-MoE (renormalize) and Qwen2-MoE, OLMoE (do not): softmax, then top-k.
  static RouterParams softmax_topk(uint32_t k, bool renormalize);
  // gpt-oss: top-k of the biased logits, then softmax over those k.
  static RouterParams topk_softmax(uint32_t k, bool has_bias);
  // DeepSeek-V3: sigmoid, bias for selection only, group-limited, routed scaling.
  static RouterParams deepseek_v3(uint32_t k, uint32_t n_group, uint32_t topk_group, bool norm_topk_prob,
                                  float routed_scaling_factor);
};

constexpr uint32_t kRouterMaxExperts = 256;
constexpr uint32_t kRouterMaxK = 16;

// Mirrors the push block of shaders/router_topk.comp.
struct RouterTopKPush {
  uint32_t n_tokens;
  uint32_t n_expert;
  uint32_t k;
  uint32_t score;
  uint32_t bias_use;
  uint32_t norm;
  uint32_t n_group;
  uint32_t topk_group;
  uint32_t group_top_n;
  float scale;
};
static_assert(sizeof(RouterTopKPush) == 40);

// bias is (n_expert) float; required exactly when params.bias_use is not kNone.
void record_router_topk(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& logits,
                        const std::optional<vk::BufferRange>& bias, const vk::BufferRange& ids,
                        const vk::BufferRange& weights, uint32_t n_tokens, uint32_t n_expert, const RouterParams& params);

// One token's top-k and its dispatch plan in one dispatch: exactly what record_router_topk
// followed by record_moe_dispatch (n_tokens 1) write, without the barrier between them.
void record_router_topk_and_plan(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& logits,
                                 const std::optional<vk::BufferRange>& bias, const vk::BufferRange& ids,
                                 const vk::BufferRange& weights, uint32_t n_expert, const RouterParams& params,
                                 const MoeDispatchOutputs& plan);

// The router's matmul for one token, ahead of record_router_topk_and_plan's work in the same
// dispatch: logits = x · W^T, written to `logits` as well. W is (n_expert, hidden) as GGUF
// stores it, in a format router_matmul_fusable accepts.
struct RouterMatmul {
  vk::BufferRange w;
  TensorType type = TensorType::kF32;
  uint32_t hidden = 0;
  vk::BufferRange x;       // (hidden) floats
  vk::BufferRange ticket;  // one uint32, zero before the first dispatch; every dispatch leaves it zero
  // How W and x are read, following the decode GEMV's layout (kAuto: the device's): in the
  // CPU-driver layout (kRowsPerSubgroup) through texel views, as that GEMV reads them.
  GemvLayout layout = GemvLayout::kAuto;
};

// Mirrors the push block of shaders/router_topk.comp's ROUTER_LOGITS variants.
struct RouterLogitsPush {
  RouterTopKPush topk;
  uint32_t hidden;
  uint32_t experts_per_group;
};
static_assert(sizeof(RouterLogitsPush) == 48);

// F32, F16 and BF16 (the formats GGUF files and Hugging Face folders keep routers in), rows
// of a multiple of 4 elements, W and x starting on 16-byte boundaries.
bool router_matmul_fusable(const RouterMatmul& m);

// The logits' sums are grouped differently from record_matmul's, so the choice can differ
// from the unfused path's where two experts' logits nearly tie.
void record_router_matmul_topk_and_plan(vk::Context& ctx, vk::CommandBuffer& cmd, const RouterMatmul& matmul,
                                        const vk::BufferRange& logits, const std::optional<vk::BufferRange>& bias,
                                        const vk::BufferRange& ids, const vk::BufferRange& weights, uint32_t n_expert,
                                        const RouterParams& params, const MoeDispatchOutputs& plan);

}  // namespace vkmoe::kernels
