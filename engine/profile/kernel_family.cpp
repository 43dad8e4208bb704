#include "engine/profile/kernel_family.h"

namespace vkmoe {

const char* kernel_family_name(KernelFamily family) {
  switch (family) {
    case KernelFamily::kEmbedding: return "embedding";
    case KernelFamily::kNorm: return "norm";
    case KernelFamily::kQkvProjection: return "qkv_proj";
    case KernelFamily::kRope: return "rope";
    case KernelFamily::kKvCacheWrite: return "kv_write";
    case KernelFamily::kAttention: return "attention";
    case KernelFamily::kOutputProjection: return "out_proj";
    case KernelFamily::kResidualAdd: return "residual_add";
    case KernelFamily::kRouter: return "router_topk";
    case KernelFamily::kMoeDispatch: return "moe_dispatch";
    case KernelFamily::kExpertGateUp: return "expert_gate_up";
    case KernelFamily::kActivation: return "activation";
    case KernelFamily::kExpertDown: return "expert_down";
    case KernelFamily::kScatter: return "scatter";
    case KernelFamily::kSharedExpert: return "shared_expert";
    case KernelFamily::kDenseFfn: return "dense_ffn";
    case KernelFamily::kLmHead: return "lm_head";
    case KernelFamily::kSampling: return "sampling";
    case KernelFamily::kOther: return "other";
  }
  return "other";
}

}  // namespace vkmoe
