#pragma once
// Expert activations and the Qwen2-MoE shared-expert gate.
//   SwiGLU:         out = silu(gate) * up
//   clamped SwiGLU: g = min(gate, limit); u = clamp(up, -limit, limit);
//                   out = (u + 1) * g * sigmoid(alpha * g)   (gpt-oss: alpha 1.702, limit 7)
// gate, up and out are (R, F) with n = R * F elements; out may alias gate or up.
//   sigmoid-gated add: out[t, :] += sigmoid(gate[t]) * shared[t, :]; gate is (T, 1), shared
//   and out are (T, H).
// Tensors larger than maxStorageBufferRange are processed in several dispatches.
#include <cstdint>

#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"

namespace vkmoe::kernels {

// Mirrors the push block of shaders/swiglu.comp.
struct SwigluPush {
  uint32_t n;
  float alpha;
  float limit;
};
static_assert(sizeof(SwigluPush) == 12);

// Mirrors the push block of shaders/shared_expert_gate.comp.
struct SharedExpertGatePush {
  uint32_t n_tokens;
  uint32_t hidden;
};
static_assert(sizeof(SharedExpertGatePush) == 8);

struct ClampedSwiglu {
  float alpha = 1.702f;
  float limit = 7.0f;
};

void record_swiglu(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate, const vk::BufferRange& up,
                   const vk::BufferRange& out, uint64_t n);

void record_clamped_swiglu(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate,
                           const vk::BufferRange& up, const vk::BufferRange& out, uint64_t n, ClampedSwiglu params);

void record_sigmoid_gated_add(vk::Context& ctx, vk::CommandBuffer& cmd, const vk::BufferRange& gate,
                              const vk::BufferRange& shared, const vk::BufferRange& out, uint32_t n_tokens,
                              uint32_t hidden);

}  // namespace vkmoe::kernels
