#include "engine/kernels/matmul_pipelines.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/kernels/matmul.h"

namespace vkmoe::kernels {
namespace {

std::string shader_name(MatmulKernel kernel, TensorType type, bool expert) {
  std::string name = kernel == MatmulKernel::kGemv ? "matmul_gemv_" : "matmul_gemm_";
  if (expert) name += "id_";
  for (char c : tensor_type_info(type).name) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

MatmulPipeline matmul_pipeline(vk::Context& ctx, MatmulKernel kernel, TensorType type, bool expert) {
  const auto& caps = ctx.caps();
  std::string name = shader_name(kernel, type, expert);
  uint32_t buffers = expert ? 6 : 4;
  MatmulPipeline out;
  if (kernel == MatmulKernel::kGemv) {
    // One W row per subgroup at a time, four subgroups per workgroup.
    uint32_t subgroup = caps.subgroup_size != 0 ? caps.subgroup_size : 32;
    uint32_t workgroup = std::min(subgroup * 4, std::max<uint32_t>(caps.max_workgroup_invocations, subgroup));
    uint32_t rows = std::max<uint32_t>(workgroup / subgroup, 1);
    const uint32_t spec[] = {workgroup, rows};
    out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
    out.tile_rows = kGemvMaxTokens;
    out.tile_cols = rows;
    return out;
  }
  // 4x4 outputs per invocation (TM, TN in matmul_gemm.comp): a 64x64 tile takes 256
  // invocations and 8 KiB of shared memory for BK = 16. Small devices and CPU drivers
  // (lavapipe runs a workgroup's invocations as a loop) get 32x32.
  constexpr uint32_t kBk = 16;
  uint32_t tile = 64;
  if (caps.max_workgroup_invocations < 256 || caps.max_shared_memory < 2 * 64 * kBk * 4 ||
      caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU) {
    tile = 32;
  }
  uint32_t workgroup = (tile / 4) * (tile / 4);
  const uint32_t spec[] = {workgroup, tile, tile, kBk};
  out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
  out.tile_rows = tile;
  out.tile_cols = tile;
  return out;
}

}  // namespace vkmoe::kernels
