#pragma once
// vkmoe-bench --matmul: the matmul kernels alone, timed by GPU timestamps, against the
// device's copy bandwidth. A decode GEMV reads each weight byte once, so its bytes per second
// over the copy bandwidth says how close it comes to the memory bound.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/vk/context.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::bench {

// One matmul to time: y (tokens, n) = x (tokens, k) · Wᵀ. With experts > 0 it is the expert
// matmul of one MoE layer: `experts` matrices of (n, k) in a pool, `tokens` tokens each routed
// to `used` distinct experts, so tokens * used rows read min(experts, tokens * used) matrices.
struct MatmulShape {
  uint32_t n = 0, k = 0;
  uint32_t experts = 0, used = 0;
  std::string name() const;
};

// "14336x4096" (dense, n x k) or "128e8:768x2048" (128 experts, top-8, each 768 x 2048).
MatmulShape parse_matmul_shape(const std::string& text);

struct MatmulTiming {
  TensorType type;
  MatmulShape shape;
  uint32_t tokens = 0;
  double median_us = 0;
  uint64_t bytes = 0;  // weights read + x read + y written, once each
  double bytes_per_second = 0;
};

// Times every type x shape x token count: one warm-up, then `repetitions` dispatches, each
// bracketed by timestamps, over copies of the weights that together exceed the device's
// caches, so every dispatch reads its weights from memory. `layout` is the GEMV layout where
// the GEMV runs (kAuto: the device's), so one layout's kernel can be timed on the other kind
// of device.
std::vector<MatmulTiming> time_matmuls(vk::Context& ctx, const std::vector<TensorType>& types,
                                       const std::vector<MatmulShape>& shapes, const std::vector<uint32_t>& tokens,
                                       uint32_t repetitions, kernels::GemvLayout layout = kernels::GemvLayout::kAuto);

void write_matmul_markdown(std::FILE* out, const std::vector<MatmulTiming>& timings, double copy_bytes_per_second);
void write_matmul_json(std::FILE* out, const std::vector<MatmulTiming>& timings, double copy_bytes_per_second);

}  // namespace vkmoe::bench
