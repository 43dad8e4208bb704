#include "engine/kernels/matmul_pipelines.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/kernels/matmul.h"

namespace vkmoe::kernels {
namespace {

std::string shader_name(MatmulPath path, TensorType type, bool expert) {
  std::string name = path == MatmulPath::kGemv ? "matmul_gemv_" : "matmul_gemm_";
  if (expert) name += "id_";
  for (char c : tensor_type_info(type).name) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

MatmulPipeline matmul_pipeline(vk::Context& ctx, MatmulChoice choice, TensorType type, bool expert) {
  const auto& caps = ctx.caps();
  std::string name = shader_name(choice.path, type, expert);
  uint32_t buffers = expert ? 6 : 4;
  MatmulPipeline out;
  if (choice.path == MatmulPath::kGemv) {
    uint32_t subgroup = caps.subgroup_size != 0 ? caps.subgroup_size : 32;
    if (choice.layout == GemvLayout::kAuto) {
      choice.layout = caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU ? GemvLayout::kRowsPerSubgroup : GemvLayout::kSubgroupPerRow;
    }
    // kSubgroupPerRow: four subgroups per workgroup, each taking one row at a time.
    // kRowsPerSubgroup: one subgroup per workgroup taking 8 rows at once.
    const bool x_in_registers = choice.layout == GemvLayout::kRowsPerSubgroup;
    uint32_t workgroup = x_in_registers ? subgroup : std::min(subgroup * 4, std::max<uint32_t>(caps.max_workgroup_invocations, subgroup));
    uint32_t rows = x_in_registers ? 8 : std::max<uint32_t>(workgroup / subgroup, 1);
    const uint32_t spec[] = {workgroup, rows, x_in_registers ? 1u : 0u};
    out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
    out.tile_rows = kGemvMaxTokens;
    out.tile_cols = rows;
    return out;
  }
  // 4x4 outputs per invocation (TM, TN in matmul_gemm.comp): a 64x64 tile takes 256
  // invocations and 16 KiB of shared memory for BK = 32. Small devices and CPU drivers
  // (lavapipe runs a workgroup's invocations as a loop) get 32x32.
  constexpr uint32_t kBk = 32;  // a multiple of every format's decode unit (weight_blocks.glsl)
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
