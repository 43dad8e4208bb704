#include "engine/kernels/matmul_pipelines.h"

#include <algorithm>
#include <bit>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/kernels/format_variant.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

std::string shader_name(MatmulChoice choice, TensorType type, bool expert, bool glu) {
  std::string name;
  if (choice.path == MatmulPath::kGemm) {
    name = choice.gemm == GemmKernel::kCoopmat          ? "matmul_gemm_coopmat_"
           : choice.gemm == GemmKernel::kCoopmatOnLanes ? "matmul_gemm_coopmat_lanes_"
                                                        : "matmul_gemm_";
  } else {
    name = choice.layout == GemvLayout::kRowsPerSubgroup ? "matmul_gemv_rows_" : "matmul_gemv_";
  }
  if (glu) name += "glu_";
  if (expert) name += "id_";
  return name + format_variant_suffix(type);
}

// Elements of one decode unit (UNIT in weight_blocks.glsl): the GEMM stages whole units, so
// its K slice is a multiple of this.
uint32_t decode_unit_elements(TensorType type) {
  switch (type) {
    case TensorType::kF32: case TensorType::kF16: case TensorType::kBF16: return 8;
    case TensorType::kQ4_K: case TensorType::kQ5_K: return 64;
    case TensorType::kQ6_K: return 128;
    default: return 32;
  }
}

// The K slice the GEMMs stage: whole decode units, at least 32 elements.
uint32_t gemm_slice_depth(TensorType type) { return std::max<uint32_t>(32, decode_unit_elements(type)); }

// The fragment shape the cooperative-matrix GEMM runs with: the device's, or, on lanes, 16^3.
vk::CoopmatShape coopmat_kernel_shape(const vk::DeviceCaps& caps, GemmKernel kernel) {
  if (kernel == GemmKernel::kCoopmatOnLanes) return caps.float16_arithmetic ? vk::CoopmatShape{16, 16, 16} : vk::CoopmatShape{};
  return caps.coopmat_f16;
}

uint32_t coopmat_subgroup(const vk::DeviceCaps& caps) { return caps.subgroup_size != 0 ? caps.subgroup_size : 32; }

// matmul_gemm_coopmat.comp's K slice: at most 64 deep, so Q6_K's 128-element units are staged
// a half at a time and its tiles fit where the others' do (each half decodes the unit).
uint32_t coopmat_slice_depth(TensorType type) { return std::min<uint32_t>(64, gemm_slice_depth(type)); }

// matmul_gemm_coopmat.comp's tile: four subgroups, 2 x 2 over 64 x 64 outputs, or 32 x 32
// where the staged slices (hi and lo halves of x and W, BK + 8 halves per row) and the four
// fragments on their way out do not fit in shared memory (the 64-deep slices on a 32 KiB
// device); 0 where neither fits or the shape does not divide among the subgroups.
uint32_t coopmat_tile(const vk::DeviceCaps& caps, TensorType type, vk::CoopmatShape shape) {
  const uint32_t subgroup = coopmat_subgroup(caps), bk = coopmat_slice_depth(type);
  if (!shape.available() || (shape.m * shape.n) % subgroup != 0 || 4 * subgroup > caps.max_workgroup_invocations) return 0;
  for (uint32_t tile : {64u, 32u}) {
    if (4 * tile * (bk + 8) * 2 + 4 * shape.m * shape.n * 4 <= caps.max_shared_memory) return tile;
  }
  return 0;
}

MatmulPipeline coopmat_gemm_pipeline(vk::Context& ctx, GemmKernel kernel, const std::string& name, TensorType type,
                                     uint32_t buffers) {
  const auto& caps = ctx.caps();
  const vk::CoopmatShape shape = coopmat_kernel_shape(caps, kernel);
  const uint32_t tile = coopmat_tile(caps, type, shape);
  if (tile == 0) {
    throw Error(ErrorCode::kUnsupported, "matmul: the cooperative-matrix GEMM cannot run " +
                                             std::string(tensor_type_info(type).name) + " on " + caps.name +
                                             (shape.available() ? " (its tiles do not fit)" : " (no fragment shape)"));
  }
  const uint32_t subgroup = coopmat_subgroup(caps);
  const uint32_t spec[] = {4 * subgroup, tile, tile, coopmat_slice_depth(type), shape.m, shape.n, shape.k, subgroup};
  MatmulPipeline out;
  out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
  out.tile_rows = tile;
  out.tile_cols = tile;
  return out;
}

}  // namespace

GemvLayout resolve_gemv_layout(const vk::DeviceCaps& caps, GemvLayout requested) {
  if (requested != GemvLayout::kAuto) return requested;
  return caps.cpu_gemv_layout() ? GemvLayout::kRowsPerSubgroup : GemvLayout::kSubgroupPerRow;
}

bool coopmat_gemm_runs(const vk::DeviceCaps& caps, TensorType type, GemmKernel kernel) {
  return coopmat_tile(caps, type, coopmat_kernel_shape(caps, kernel)) != 0;
}

GemmKernel resolve_gemm_kernel(const vk::DeviceCaps& caps, TensorType type, GemmKernel requested) {
  if (requested != GemmKernel::kAuto) return requested;
  return coopmat_gemm_runs(caps, type, GemmKernel::kCoopmat) ? GemmKernel::kCoopmat : GemmKernel::kScalar;
}

uint64_t matmul_binding_alignment(const vk::DeviceCaps& caps) {
  return std::max<uint64_t>({caps.min_storage_buffer_offset_alignment, caps.min_texel_buffer_offset_alignment, 4});
}

bool weight_quads_fit(TensorType type, uint64_t row_starts) {
  switch (type) {
    case TensorType::kF32: case TensorType::kF16: case TensorType::kBF16: case TensorType::kQ4_K: case TensorType::kQ5_K:
      return row_starts % 16 == 0;
    default:
      return false;
  }
}

uint32_t gemv_unit_elements(TensorType type) {
  switch (type) {
    case TensorType::kF32: case TensorType::kF16: case TensorType::kBF16:
      return 8;
    case TensorType::kQ4_K: case TensorType::kQ5_K:
      return 64;
    case TensorType::kQ6_K:
      return 128;
    default:
      return 32;
  }
}

uint32_t gemv_lanes_per_row(TensorType type, uint32_t k, uint32_t subgroup) {
  const uint32_t units = std::max<uint32_t>(k / gemv_unit_elements(type), 1);
  return std::min(std::bit_ceil(units), subgroup);
}

bool gemv_suits(GemvLayout resolved, double rows_per_matrix) {
  return resolved == GemvLayout::kRowsPerSubgroup || rows_per_matrix <= kGemvMaxTokens;
}

void check_scatter_after(const ScatterAfter& s, uint64_t k, uint64_t n) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw Error(ErrorCode::kInternal, "matmul scatter epilogue: " + what);
  };
  require(s.rows.size >= k * 4 && s.weights.size >= k * 4, "rows and weights need " + std::to_string(k) + " entries");
  require(s.out.size >= n * 4 && s.norm_weight.size >= n * 4 && s.normed.size >= n * 4,
          "out, norm weight and normed need " + std::to_string(n) + " floats");
  require(s.ticket.size >= 4, "the ticket needs 4 bytes");
}

std::vector<vk::BufferRange> gemv_bindings(std::vector<vk::BufferRange> bound, const vk::BufferRange& x,
                                           const vk::BufferRange& y, const std::optional<ScatterAfter>& scatter) {
  bound.resize(kGemvBuffers - 6, x);
  if (scatter) {
    bound.insert(bound.end(), {scatter->rows, scatter->weights, scatter->out, scatter->norm_weight, scatter->normed,
                               scatter->ticket});
  } else {
    bound.insert(bound.end(), {x, x, y, x, y, y});
  }
  return bound;
}

MatmulPipeline matmul_pipeline(vk::Context& ctx, MatmulChoice choice, const MatmulVariant& variant) {
  const auto& caps = ctx.caps();
  const TensorType type = variant.type;
  const bool expert = variant.expert, glu = variant.glu;
  if (glu && (!expert || choice.path != MatmulPath::kGemv)) {
    throw Error(ErrorCode::kInternal, "matmul: the gated variant is an expert GEMV");
  }
  const bool gemv = choice.path == MatmulPath::kGemv;
  if (variant.scatter_after && (glu || !gemv)) throw Error(ErrorCode::kInternal, "matmul: the scatter epilogue ends a GEMV without GLU");
  const uint32_t buffers = glu ? 10 : gemv ? kGemvBuffers : expert ? 8 : 4;
  MatmulPipeline out;
  if (gemv) {
    uint32_t subgroup = caps.subgroup_size != 0 ? caps.subgroup_size : 32;
    choice.layout = resolve_gemv_layout(caps, choice.layout);
    const std::string name = shader_name(choice, type, expert, glu);
    out.tile_rows = kGemvMaxTokens;
    if (choice.layout == GemvLayout::kRowsPerSubgroup) {
      // One subgroup per workgroup taking 8 rows (ROWS in matmul_gemv.comp) at once: 8 output
      // columns, or 4 gate and the same 4 up rows.
      if (!caps.int64) throw Error(ErrorCode::kUnsupported, "matmul: the rows-per-subgroup GEMV needs shaderInt64");
      const uint32_t spec[] = {subgroup, variant.multi_token_tiles ? 1u : 0u, variant.x_quads ? 1u : 0u,
                               variant.w_quads ? 1u : 0u, variant.scatter_after ? 1u : 0u};
      // Texel views (matmul_gemv.comp, weight_blocks.glsl): W as words and quads at bindings 16
      // and 20, x as words and quads at 17 and 19; GLU's up W at 18 and 21.
      using vk::TexelFormat;
      static constexpr vk::TexelBinding kTexels[] = {{16, 0, TexelFormat::kWords}, {20, 0, TexelFormat::kQuads},
                                                     {17, 1, TexelFormat::kWords}, {19, 1, TexelFormat::kQuads},
                                                     {18, 8, TexelFormat::kWords}, {21, 8, TexelFormat::kQuads}};
      const std::span<const vk::TexelBinding> texels(kTexels, glu ? 6 : 4);
      out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec, 0, texels});
      out.tile_cols = glu ? 4 : 8;
      return out;
    }
    // Four subgroups per workgroup; each row group of `lanes` lanes takes one row.
    uint32_t workgroup = std::min(subgroup * 4, std::max<uint32_t>(caps.max_workgroup_invocations, subgroup));
    const uint32_t lanes = gemv_lanes_per_row(type, variant.k, subgroup);
    const uint32_t rows = std::max<uint32_t>(workgroup / lanes, 1);
    // 2 and 3: the CPU layout's.
    const uint32_t spec[] = {workgroup, rows, 0, 0, variant.scatter_after ? 1u : 0u, lanes};
    out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
    out.tile_cols = rows;
    return out;
  }
  choice.gemm = resolve_gemm_kernel(caps, type, choice.gemm);
  const std::string name = shader_name(choice, type, expert, false);
  if (choice.gemm != GemmKernel::kScalar) return coopmat_gemm_pipeline(ctx, choice.gemm, name, type, buffers);
  // 4x4 outputs per invocation (TM, TN in matmul_gemm.comp): a 64x64 tile takes 256
  // invocations and 2 * 64 * BK floats of shared memory. Small devices and CPU drivers
  // (lavapipe runs a workgroup's invocations as a loop) get 32x32.
  const uint32_t bk = gemm_slice_depth(type);
  uint32_t tile = 64;
  if (caps.max_workgroup_invocations < 256 || caps.max_shared_memory < 2 * 64 * bk * 4 ||
      caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU) {
    tile = 32;
  }
  uint32_t workgroup = (tile / 4) * (tile / 4);
  const uint32_t spec[] = {workgroup, tile, tile, bk};
  out.pipeline = &ctx.pipelines().get({name, buffers, sizeof(MatmulPush), spec});
  out.tile_rows = tile;
  out.tile_cols = tile;
  return out;
}

}  // namespace vkmoe::kernels
