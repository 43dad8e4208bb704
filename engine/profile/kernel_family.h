#pragma once
// The kernel families a profile sums over. The forward pass labels each kernel where it
// records it (profile_as), since one shader serves several families: the same matmul computes
// q/k/v, expert gate/up and lm_head.
#include <cstdint>

#include "engine/vk/command_buffer.h"

namespace vkmoe {

enum class KernelFamily : uint32_t {
  kEmbedding,
  kNorm,              // RMSNorm: attention, FFN, q/k and output norms
  kQkvProjection,     // q, k, v (MLA: q_a, q_b, kv_a) matmuls
  kRope,
  kKvCacheWrite,
  kAttention,         // the attention kernels (MLA: with its per-head matmuls and re-layouts)
  kOutputProjection,  // attention output matmul
  kResidualAdd,
  kRouter,            // router logits matmul + top-k
  kMoeDispatch,       // tokens grouped by expert: moe_dispatch + gather
  kExpertGateUp,
  kActivation,        // the routed experts' SwiGLU
  kExpertDown,
  kScatter,           // weighted scatter-add of expert rows back to token order
  kSharedExpert,      // the whole shared-expert block
  kDenseFfn,          // the whole dense FFN block (dense layers)
  kLmHead,            // output norm is a norm; this is the vocabulary matmul
  kSampling,          // GPU argmax / top-k of the logits, for steps that record it
  kOther,             // anything recorded without a label
};
inline constexpr uint32_t kKernelFamilies = static_cast<uint32_t>(KernelFamily::kOther) + 1;

// A short name for tables and json: "qkv_proj", "expert_gate_up".
const char* kernel_family_name(KernelFamily family);

// Labels the kernels `cmd` records next. `partial` names bound ranges they touch only part of.
inline void profile_as(vk::CommandBuffer& cmd, KernelFamily family, vk::PartialUse first = {}, vk::PartialUse second = {}) {
  cmd.set_label({static_cast<uint32_t>(family), {first, second}});
}

}  // namespace vkmoe
