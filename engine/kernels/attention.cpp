#include "engine/kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/kernels/dispatch_grid.h"
#include "loader/base/error.h"

namespace vkmoe::kernels {
namespace {

constexpr uint32_t kDecodeWorkgroup = 64;
constexpr uint32_t kDecodeSplitMax = 256;  // shared scores per split (SPLIT_MAX)
constexpr uint32_t kPrefillWorkgroup = 64;
constexpr uint32_t kCombineWorkgroup = 64;

bool uses_decode(const AttentionShape& s) {
  if (s.path == AttentionPath::kAuto) return s.tokens <= kAttentionDecodeMaxTokens;
  return s.path == AttentionPath::kDecode;
}

struct Split {
  uint32_t len = 0, count = 0;
};

// Enough splits that about 256 workgroups share the keys, each split a multiple of 32 keys
// between 32 and kDecodeSplitMax. Where that is one split (up to 32 keys; up to 256 when heads x
// tokens reach 256), attention_decode.comp finishes it itself (ONE_PASS), and a decode step
// saves the combine dispatch and the barrier before it in every layer. Longer contexts keep
// their spread: one workgroup walking every key would wait on each key's loads in turn.
Split choose_split(const AttentionShape& s) {
  uint64_t groups_per_split = uint64_t(s.n_head) * s.tokens;
  uint64_t wanted = std::max<uint64_t>(1, ceil_div(256, groups_per_split));
  uint64_t len = ceil_div(s.n_kv, wanted);
  len = std::clamp<uint64_t>(ceil_div(len, 32) * 32, 32, kDecodeSplitMax);
  return {static_cast<uint32_t>(len), static_cast<uint32_t>(ceil_div(s.n_kv, len))};
}

struct PrefillTile {
  uint32_t br = 0, bc = 0;
};

uint64_t prefill_shared_bytes(const AttentionShape& s, PrefillTile t) {
  uint64_t kv_row = std::max(s.head_dim_k, s.head_dim_v);
  return 4 * (uint64_t(t.br) * s.head_dim_k + uint64_t(t.bc) * kv_row + uint64_t(t.br) * t.bc + t.br) + 64 * 4;
}

// The largest query/key tile that fits the device's shared memory.
PrefillTile choose_prefill_tile(const vk::Context& ctx, const AttentionShape& s) {
  static constexpr PrefillTile kTiles[] = {{16, 32}, {16, 16}, {8, 16}, {8, 8}, {4, 8}, {4, 4}, {2, 4}, {1, 4}};
  for (PrefillTile t : kTiles) {
    if (prefill_shared_bytes(s, t) <= ctx.caps().max_shared_memory) return t;
  }
  throw Error(ErrorCode::kUnsupported, "attention: head dims " + std::to_string(s.head_dim_k) + "/" +
                                           std::to_string(s.head_dim_v) + " do not fit in " +
                                           std::to_string(ctx.caps().max_shared_memory) + " bytes of shared memory");
}

void validate(const vk::Context& ctx, const AttentionShape& s, const AttentionBuffers& b) {
  auto fail = [](const std::string& what) { throw Error(ErrorCode::kInternal, "attention: " + what); };
  if (s.tokens == 0 || s.n_head == 0 || s.n_head_kv == 0 || s.head_dim_k == 0 || s.head_dim_v == 0) fail("empty shape");
  if (s.n_head % s.n_head_kv != 0) {
    fail(std::to_string(s.n_head) + " query heads are not a multiple of " + std::to_string(s.n_head_kv) + " kv heads");
  }
  if (s.n_kv == 0 || s.n_kv > s.max_ctx) fail("n_kv " + std::to_string(s.n_kv) + " outside [1, max_ctx " + std::to_string(s.max_ctx) + "]");
  const auto& caps = ctx.caps();
  if (s.tokens > caps.max_workgroup_count[2] || s.n_head > caps.max_workgroup_count[1]) fail("too many tokens or heads for one dispatch");
  uint64_t elem = kv_cache_element_bytes(s.cache_type);
  if (b.q.size < uint64_t(s.tokens) * s.n_head * s.head_dim_k * 4) fail("q range too small");
  if (b.positions.size < uint64_t(s.tokens) * 4) fail("positions range too small");
  if (b.k_cache.size < uint64_t(s.n_head_kv) * s.max_ctx * s.head_dim_k * elem) fail("k_cache range too small");
  if (b.v_cache.size < uint64_t(s.n_head_kv) * s.max_ctx * s.head_dim_v * elem) fail("v_cache range too small");
  if (b.out.size < uint64_t(s.tokens) * s.n_head * s.head_dim_v * 4) fail("out range too small");
  if (b.sinks && b.sinks->size < uint64_t(s.n_head) * 4) fail("sinks range too small");
}

AttentionPush make_push(const AttentionShape& s, bool has_sinks, Split split) {
  float scale = s.scale != 0.0f ? s.scale : static_cast<float>(1.0 / std::sqrt(double(s.head_dim_k)));
  return {s.tokens, s.n_head, s.n_head_kv, s.n_kv, s.max_ctx, s.window, has_sinks ? 1u : 0u, split.len, split.count, scale};
}

std::string variant(const char* stem, KvCacheType type) {
  return std::string(stem) + (type == KvCacheType::kF16 ? "_f16" : "_f32");
}

}  // namespace

uint64_t attention_scratch_bytes(const vk::Context&, const AttentionShape& s) {
  if (!uses_decode(s) || s.n_kv == 0) return 0;
  Split split = choose_split(s);
  if (split.count == 1) return 0;
  return uint64_t(s.tokens) * s.n_head * split.count * (s.head_dim_v + 2) * 4;
}

void record_attention(vk::Context& ctx, vk::CommandBuffer& cmd, const AttentionShape& s, const AttentionBuffers& b) {
  validate(ctx, s, b);
  // Without sinks, q's range stands in for the unused binding.
  const vk::BufferRange sinks = b.sinks ? *b.sinks : b.q;
  if (uses_decode(s)) {
    Split split = choose_split(s);
    if (split.count > ctx.caps().max_workgroup_count[0]) throw Error(ErrorCode::kInternal, "attention: too many splits");
    if (b.scratch.size < attention_scratch_bytes(ctx, s)) throw Error(ErrorCode::kInternal, "attention: scratch range too small");
    AttentionPush push = make_push(s, b.sinks.has_value(), split);
    const bool one_pass = split.count == 1;
    const uint32_t spec[] = {kDecodeWorkgroup, s.head_dim_k, s.head_dim_v, kDecodeSplitMax, one_pass ? 1u : 0u};
    const auto& decode = ctx.pipelines().get({variant("attention_decode", s.cache_type), 6, sizeof(AttentionPush), spec});
    cmd.dispatch(decode, {b.q, b.positions, b.k_cache, b.v_cache, one_pass ? b.out : b.scratch, sinks}, push, split.count,
                 s.n_head, s.tokens);
    if (one_pass) return;
    cmd.barrier();
    const uint32_t combine_spec[] = {kCombineWorkgroup, s.head_dim_k, s.head_dim_v};
    const auto& combine = ctx.pipelines().get({"attention_combine", 3, sizeof(AttentionPush), combine_spec});
    Grid g = grid_for_groups(uint64_t(s.tokens) * s.n_head, ctx.caps());
    cmd.dispatch(combine, {b.scratch, sinks, b.out}, push, g.x, g.y);
    return;
  }
  PrefillTile tile = choose_prefill_tile(ctx, s);
  AttentionPush push = make_push(s, b.sinks.has_value(), {});
  const uint32_t spec[] = {kPrefillWorkgroup, s.head_dim_k, s.head_dim_v, tile.br, tile.bc};
  const auto& prefill = ctx.pipelines().get({variant("attention_prefill", s.cache_type), 6, sizeof(AttentionPush), spec});
  uint64_t tiles = ceil_div(s.tokens, tile.br);
  if (tiles > ctx.caps().max_workgroup_count[0]) throw Error(ErrorCode::kInternal, "attention: too many query tiles");
  cmd.dispatch(prefill, {b.q, b.positions, b.k_cache, b.v_cache, sinks, b.out}, push, static_cast<uint32_t>(tiles), s.n_head);
}

}  // namespace vkmoe::kernels
