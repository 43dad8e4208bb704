#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/dispatch_grid.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/matmul_pipelines.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kInternal, "expert matmul: " + message);
}

void check_expert_matmul(const ExpertWeights& w, const ExpertRows& rows, const std::optional<vk::BufferRange>& bias) {
  const uint64_t row_bytes = matmul_row_bytes(w.type, w.k);
  const uint64_t k = w.k, n = w.n, r = rows.rows, experts = w.n_expert;
  require(n > 0 && experts > 0, "empty shape: n " + std::to_string(n) + ", experts " + std::to_string(experts));
  require(w.slot_stride % 4 == 0 && w.slot_stride >= n * row_bytes,
          "slot stride " + std::to_string(w.slot_stride) + " is not a multiple of 4 holding " + std::to_string(n) +
              " rows of " + std::to_string(row_bytes) + " bytes");
  require(w.pool.size >= n * row_bytes, "weight pool of " + std::to_string(w.pool.size) + " bytes holds no slot");
  require(rows.expert_offsets.size >= (experts + 1) * 4, "expert_offsets range too small");
  require(rows.slot_table.size >= experts * 4, "slot_table range too small");
  require(!rows.x_sources || (rows.x_sources->per_token > 0 && rows.x_sources->entries.size >= r * 4),
          "x sources need a positive per_token and an entry per row");
  // With sources, x holds the tokens the rows come from: at least rows / per_token of them.
  const uint64_t x_rows = rows.x_sources ? ceil_div(r, rows.x_sources->per_token) : r;
  require(rows.x.size >= x_rows * k * 4, "x range too small for (" + std::to_string(x_rows) + ", " + std::to_string(k) + ")");
  require(rows.y_gathered.size >= r * n * 4, "y_gathered range too small for (" + std::to_string(r) + ", " + std::to_string(n) + ")");
  require(!bias || bias->size >= experts * n * 4, "bias range too small for (" + std::to_string(experts) + ", " + std::to_string(n) + ")");
  require(!rows.gemv_tiles || rows.gemv_tiles->size >= expert_gemv_tiles(rows.rows, w.n_expert) * 8ull,
          "gemv_tiles range too small for " + std::to_string(expert_gemv_tiles(rows.rows, w.n_expert)) + " tiles");
}

// Slots a pool holds: the last one needs only its rows, not a whole stride.
uint32_t slot_count(const ExpertWeights& w) {
  const uint64_t expert_bytes = uint64_t(w.n) * matmul_row_bytes(w.type, w.k);
  return static_cast<uint32_t>((w.pool.size - expert_bytes) / w.slot_stride + 1);
}

// A pool may start anywhere (a window of a stacked tensor): it is bound from the aligned
// offset below it, and the shader skips `skip` bytes.
struct BoundPool {
  vk::BufferRange range;
  uint32_t skip = 0;
};

BoundPool bind_pool(const vk::Context& ctx, const vk::BufferRange& pool) {
  const uint64_t misalignment = pool.offset % matmul_binding_alignment(ctx.caps());
  return {{pool.buffer, pool.offset - misalignment, pool.size + misalignment}, static_cast<uint32_t>(misalignment)};
}

// Where a pool's rows start, for weight_quads_fit: the row size OR'd with the pool's offset
// (the binding starts at an aligned byte at or below it) and the slot stride.
uint64_t pool_row_starts(const ExpertWeights& w) { return matmul_row_bytes(w.type, w.k) | w.pool.offset | w.slot_stride; }

// The push block and grid of an expert matmul over `rows` with weights like `w`.
struct ExpertLaunch {
  MatmulPush push{};
  Grid grid;
  vk::BufferRange pool;   // binding 0: the weight pool from its aligned start
  vk::BufferRange tiles;  // binding 6: the tile list, or any range when there is none
  vk::BufferRange x_sources;  // binding 7: the x sources, or any range when there are none
};

ExpertLaunch expert_launch(const vk::Context& ctx, const ExpertWeights& w, const ExpertRows& rows, bool has_bias,
                           MatmulPath path, const MatmulPipeline& mp) {
  // Rows per expert are known only on the GPU: size the grid for the worst case. Only the
  // GEMV's tiles (kGemvMaxTokens rows, as record_moe_dispatch lists them) come as a list.
  const uint32_t m_tiles = expert_row_tiles(rows.rows, w.n_expert, mp.tile_rows);
  const bool listed = path == MatmulPath::kGemv && rows.gemv_tiles.has_value();
  ExpertLaunch launch;
  MatmulPush& push = launch.push;
  push.k = w.k;
  push.n = w.n;
  push.tokens = rows.rows;
  push.row_bytes = static_cast<uint32_t>(matmul_row_bytes(w.type, w.k));
  push.y_stride = w.n;
  push.has_bias = has_bias ? 1 : 0;
  push.n_expert = w.n_expert;
  push.slot_stride = w.slot_stride;
  push.n_slots = slot_count(w);
  const BoundPool pool = bind_pool(ctx, w.pool);
  launch.pool = pool.range;
  push.w_offset = pool.skip;
  push.n_tiles = static_cast<uint32_t>(ceil_div(w.n, mp.tile_cols));
  push.m_tiles = m_tiles;
  push.has_tile_list = listed ? 1 : 0;
  launch.tiles = listed ? *rows.gemv_tiles : rows.x;
  push.x_source_divisor = rows.x_sources ? rows.x_sources->per_token : 0;
  launch.x_sources = rows.x_sources ? rows.x_sources->entries : rows.x;
  launch.grid = grid_for_groups(uint64_t(push.n_tiles) * push.m_tiles, ctx.caps());
  return launch;
}

// Rows per expert matrix for gemv_suits: at most `experts` matrices share the rows (a 64-token
// prompt routed top-8 over 128 experts gives each about 4).
double rows_per_expert(uint64_t rows, uint64_t experts) {
  return rows == 0 ? 0.0 : double(rows) / double(std::min(experts, rows));
}

// Whether the GEMV's tiles will mostly hold several rows: more rows than experts (a prompt).
// A decode step's top-k rows go to k different experts, one row each.
bool multi_row_tiles(uint64_t rows, uint64_t experts) { return rows > experts; }

}  // namespace

void record_expert_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const ExpertWeights& w, const ExpertRows& rows,
                          const std::optional<vk::BufferRange>& bias, MatmulChoice choice,
                          const std::optional<ScatterAfter>& scatter) {
  check_expert_matmul(w, rows, bias);
  if (scatter) {
    check_scatter_after(*scatter, rows.rows, w.n);
    require(!rows.x_sources || rows.x_sources->per_token >= rows.rows, "the scatter epilogue takes one token's rows");
  }
  if (rows.rows == 0) return;
  if (choice.path == MatmulPath::kAuto) {
    const bool gemv = gemv_suits(resolve_gemv_layout(ctx.caps(), choice.layout), rows_per_expert(rows.rows, w.n_expert));
    choice.path = gemv ? MatmulPath::kGemv : MatmulPath::kGemm;
  }
  require(!scatter || choice.path == MatmulPath::kGemv, "the scatter epilogue needs the GEMV path");
  const MatmulPipeline mp = matmul_pipeline(ctx, choice,
                                            {.type = w.type,
                                             .k = w.k,
                                             .expert = true,
                                             .multi_token_tiles = multi_row_tiles(rows.rows, w.n_expert),
                                             .x_quads = w.k % 4 == 0,
                                             .w_quads = weight_quads_fit(w.type, pool_row_starts(w)),
                                             .scatter_after = scatter.has_value()});
  ExpertLaunch launch = expert_launch(ctx, w, rows, bias.has_value(), choice.path, mp);
  std::vector<vk::BufferRange> bindings{launch.pool,        rows.x,          rows.y_gathered, bias ? *bias : rows.x,
                                        rows.expert_offsets, rows.slot_table, launch.tiles,    launch.x_sources};
  if (choice.path == MatmulPath::kGemv) bindings = gemv_bindings(std::move(bindings), rows.x, rows.y_gathered, scatter);
  if (scatter) launch.push.scatter_eps = scatter->eps;
  cmd.dispatch(*mp.pipeline, bindings, &launch.push, sizeof(launch.push), launch.grid.x, launch.grid.y);
}

bool expert_glu_fusable(const ExpertGluWeights& w, uint32_t rows, GemvLayout resolved) {
  const ExpertWeights &g = w.gate, &u = w.up;
  return g.type == u.type && g.k == u.k && g.n == u.n && g.n_expert == u.n_expert && g.slot_stride == u.slot_stride &&
         w.gate_bias.has_value() == w.up_bias.has_value() && gemv_suits(resolved, rows_per_expert(rows, g.n_expert));
}

void record_expert_glu_matmul(vk::Context& ctx, vk::CommandBuffer& cmd, const ExpertGluWeights& w, const ExpertRows& rows,
                              GluActivation act, GemvLayout layout) {
  layout = resolve_gemv_layout(ctx.caps(), layout);
  require(expert_glu_fusable(w, rows.rows, layout), "gate and up differ in format, shape, slots or bias, or rows exceed the GEMV's");
  require(!act.clamped || act.limit > 0.0f, "clamped SwiGLU needs a positive limit");
  check_expert_matmul(w.gate, rows, w.gate_bias);
  check_expert_matmul(w.up, rows, w.up_bias);
  if (rows.rows == 0) return;
  const MatmulPipeline mp = matmul_pipeline(ctx, {MatmulPath::kGemv, layout},
                                            {.type = w.gate.type,
                                             .k = w.gate.k,
                                             .expert = true,
                                             .glu = true,
                                             .multi_token_tiles = multi_row_tiles(rows.rows, w.gate.n_expert),
                                             .x_quads = w.gate.k % 4 == 0,
                                             .w_quads = weight_quads_fit(w.gate.type, pool_row_starts(w.gate) | pool_row_starts(w.up))});
  ExpertLaunch launch = expert_launch(ctx, w.gate, rows, w.gate_bias.has_value(), MatmulPath::kGemv, mp);
  const BoundPool up_pool = bind_pool(ctx, w.up.pool);
  launch.push.n_slots = std::min(launch.push.n_slots, slot_count(w.up));
  launch.push.up_w_offset = up_pool.skip;
  launch.push.glu_alpha = act.clamped ? act.alpha : 0.0f;
  launch.push.glu_limit = act.clamped ? act.limit : 0.0f;
  cmd.dispatch(*mp.pipeline,
               {launch.pool, rows.x, rows.y_gathered, w.gate_bias ? *w.gate_bias : rows.x, rows.expert_offsets,
                rows.slot_table, launch.tiles, launch.x_sources, up_pool.range, w.up_bias ? *w.up_bias : rows.x},
               launch.push, launch.grid.x, launch.grid.y);
}

}  // namespace vkmoe::kernels
