#include "engine/kernels/matmul.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/matmul_pipelines.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

// A binding that starts at the aligned byte at or below `begin` of `r`, and the offset of
// `begin` inside it in units of `unit` bytes.
struct Bound {
  vk::BufferRange range;
  uint32_t offset = 0;
};

Bound bind_span(const vk::BufferRange& r, uint64_t begin, uint64_t size, uint64_t align, uint64_t unit) {
  uint64_t at = r.offset + begin;
  uint64_t base = at / align * align;
  return {{r.buffer, base, at - base + size}, static_cast<uint32_t>((at - base) / unit)};
}

void require(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kInternal, "matmul: " + message);
}

}  // namespace

bool matmul_supports(TensorType type) {
  switch (type) {
    case TensorType::kF32: case TensorType::kF16: case TensorType::kBF16: case TensorType::kQ8_0:
    case TensorType::kQ4_0: case TensorType::kQ4_1: case TensorType::kQ5_0: case TensorType::kQ5_1:
    case TensorType::kIQ4_NL: case TensorType::kMXFP4: case TensorType::kQ2_K: case TensorType::kQ3_K:
    case TensorType::kQ4_K: case TensorType::kQ5_K: case TensorType::kQ6_K:
      return true;
    default:
      return false;
  }
}

uint64_t matmul_row_bytes(TensorType type, uint32_t k) {
  auto info = tensor_type_info(type);
  if (!matmul_supports(type)) {
    throw Error(ErrorCode::kUnsupported, "matmul: weight type " + std::string(info.name) + " is not supported");
  }
  if (k == 0 || k % info.block_elements != 0) {
    throw Error(ErrorCode::kInvalidArgument, "matmul: row of " + std::to_string(k) + " elements is not a whole number of " +
                                                 std::string(info.name) + " blocks of " +
                                                 std::to_string(info.block_elements));
  }
  return uint64_t(k) / info.block_elements * info.block_bytes;
}

void record_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const MatmulWeight& w, const vk::BufferRange& x,
                   const vk::BufferRange& y, uint32_t tokens, const std::optional<vk::BufferRange>& bias,
                   MatmulChoice choice, const std::optional<ScatterAfter>& scatter) {
  uint64_t row_bytes = matmul_row_bytes(w.type, w.k);
  const uint64_t k = w.k, n = w.n;
  require(n > 0 && tokens > 0, "empty shape: n " + std::to_string(n) + ", tokens " + std::to_string(tokens));
  require(w.range.offset % 4 == 0, "weight offset " + std::to_string(w.range.offset) + " is not a multiple of 4");
  require(w.range.size >= n * row_bytes, "weight range of " + std::to_string(w.range.size) + " bytes is smaller than " +
                                             std::to_string(n) + " rows of " + std::to_string(row_bytes));
  require(x.size >= tokens * k * 4, "x range too small for (" + std::to_string(tokens) + ", " + std::to_string(k) + ")");
  require(y.size >= tokens * n * 4, "y range too small for (" + std::to_string(tokens) + ", " + std::to_string(n) + ")");
  require(!bias || bias->size >= n * 4, "bias range too small for " + std::to_string(n) + " floats");

  const auto& caps = ctx.caps();
  if (choice.path == MatmulPath::kAuto) {
    choice.path = gemv_suits(resolve_gemv_layout(caps, choice.layout), tokens) ? MatmulPath::kGemv : MatmulPath::kGemm;
  }
  // x rows start at multiples of 4 floats of every chunk's binding (which starts at an aligned
  // byte at or below them) when the first does and rows are multiples of 4 floats.
  const bool x_quads = x.offset % 16 == 0 && k % 4 == 0;
  require(!scatter || (tokens == 1 && choice.path == MatmulPath::kGemv), "the scatter epilogue needs one token on the GEMV path");
  MatmulPipeline mp = matmul_pipeline(ctx, choice,
                                      {.type = w.type,
                                       .k = w.k,
                                       .multi_token_tiles = tokens > 1,
                                       .x_quads = x_quads,
                                       .w_quads = weight_quads_fit(w.type, row_bytes | w.range.offset),
                                       .scatter_after = scatter.has_value()});

  // Each binding stays within maxStorageBufferRange: W splits into row ranges, x and y into
  // token ranges; every binding may start up to one alignment unit before its data.
  uint64_t align = matmul_binding_alignment(caps);
  uint64_t budget = caps.max_storage_buffer_range - align;
  uint64_t chunk_rows = std::min<uint64_t>(n, budget / row_bytes);
  uint64_t chunk_tokens = std::min<uint64_t>(tokens, budget / (std::max(k, n) * 4));
  if (chunk_rows == 0 || chunk_tokens == 0) {
    throw Error(ErrorCode::kUnsupported, "matmul: a row of " + std::to_string(k) + " x " + std::to_string(n) +
                                             " does not fit maxStorageBufferRange " +
                                             std::to_string(caps.max_storage_buffer_range));
  }
  if (scatter) {
    check_scatter_after(*scatter, 1, n);
    require(chunk_rows == n, "the scatter epilogue needs W in one binding");
  }
  for (uint64_t t0 = 0; t0 < tokens; t0 += chunk_tokens) {
    uint64_t tc = std::min<uint64_t>(chunk_tokens, tokens - t0);
    Bound bx = bind_span(x, t0 * k * 4, tc * k * 4, align, 4);
    for (uint64_t r0 = 0; r0 < n; r0 += chunk_rows) {
      uint64_t rc = std::min<uint64_t>(chunk_rows, n - r0);
      Bound bw = bind_span(w.range, r0 * row_bytes, rc * row_bytes, align, 1);
      Bound by = bind_span(y, (t0 * n + r0) * 4, ((tc - 1) * n + rc) * 4, align, 4);
      Bound bb = bias ? bind_span(*bias, r0 * 4, rc * 4, align, 4) : bx;
      MatmulPush push{};
      push.k = w.k;
      push.n = static_cast<uint32_t>(rc);
      push.tokens = static_cast<uint32_t>(tc);
      push.row_bytes = static_cast<uint32_t>(row_bytes);
      push.w_offset = bw.offset;
      push.x_offset = bx.offset;
      push.y_offset = by.offset;
      push.y_stride = w.n;
      push.bias_offset = bias ? bb.offset : 0;
      push.has_bias = bias ? 1 : 0;
      push.n_expert = 1;
      push.n_slots = 1;
      push.n_tiles = static_cast<uint32_t>(ceil_div(rc, mp.tile_cols));
      push.m_tiles = static_cast<uint32_t>(ceil_div(tc, mp.tile_rows));
      push.scatter_eps = scatter ? scatter->eps : 0.0f;
      Grid g = grid_for_groups(uint64_t(push.n_tiles) * push.m_tiles, caps);
      std::vector<vk::BufferRange> bindings{bw.range, bx.range, by.range, bb.range};
      if (choice.path == MatmulPath::kGemv) bindings = gemv_bindings(std::move(bindings), bx.range, by.range, scatter);
      cmd.dispatch(*mp.pipeline, bindings, &push, sizeof(push), g.x, g.y);
    }
  }
}

}  // namespace vkmoe::kernels
