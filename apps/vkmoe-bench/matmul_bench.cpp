#include "apps/vkmoe-bench/matmul_bench.h"

#include <algorithm>
#include <memory>

#include "engine/kernels/matmul.h"
#include "engine/kernels/moe_dispatch.h"
#include "engine/vk/timestamp_pool.h"
#include "loader/base/error.h"

namespace vkmoe::bench {
namespace {

// Weights are filled with this byte: every half, bfloat16 and float it makes is a normal
// number, so no format runs into denormal or NaN arithmetic.
constexpr uint32_t kFillWord = 0x3c3c3c3cu;
// Copies of the weights are cycled until together they pass this size, larger than any GPU's
// last-level cache, so a timed dispatch finds nothing of its weights cached.
constexpr uint64_t kCacheBustBytes = uint64_t(256) << 20;
constexpr uint32_t kMaxCopies = 16;

uint32_t parse_dim(const std::string& text, const std::string& whole) {
  bool digits = !text.empty() && text.size() <= 7 && text.find_first_not_of("0123456789") == std::string::npos;
  uint32_t v = digits ? static_cast<uint32_t>(std::stoul(text)) : 0;
  if (v == 0) throw Error(ErrorCode::kInvalidArgument, "--matmul-shapes: bad dimension '" + text + "' in '" + whole + "'");
  return v;
}

uint64_t round_up4(uint64_t bytes) { return (bytes + 3) / 4 * 4; }

// One set of operands: `copies` weight buffers (dense matrices or expert pools) and x, y.
struct Operands {
  std::vector<vk::Buffer> weights;
  vk::Buffer x, y, expert_offsets, slot_table, gemv_tiles;
  uint64_t weight_bytes = 0;  // read by one dispatch
  uint32_t rows = 0;          // rows of x (expert: tokens * used)
};

vk::Buffer filled(vk::Context& ctx, uint64_t bytes, uint32_t word) {
  vk::Buffer b = ctx.create_buffer(round_up4(bytes));
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) { cmd.fill(b.range(), word); });
  return b;
}

vk::Buffer uploaded(vk::Context& ctx, const std::vector<uint32_t>& words) {
  vk::Buffer b = ctx.create_buffer(words.size() * 4);
  ctx.upload(b, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(words.data()), words.size() * 4));
  return b;
}

Operands make_operands(vk::Context& ctx, TensorType type, const MatmulShape& s, uint32_t tokens) {
  Operands o;
  const uint64_t row_bytes = kernels::matmul_row_bytes(type, s.k);
  const uint64_t matrix_bytes = round_up4(uint64_t(s.n) * row_bytes);
  uint64_t buffer_bytes = matrix_bytes;
  if (s.experts == 0) {
    o.rows = tokens;
    o.weight_bytes = uint64_t(s.n) * row_bytes;
  } else {
    // Token t routes to experts (t * used + j) mod experts: distinct within a token. Only the
    // experts some token chose get a slot; the others are absent from the slot table, as in
    // a pool that does not hold them. The routing kernel groups the rows and lists the GEMV's
    // row tiles, as in the forward pass.
    o.rows = tokens * s.used;
    std::vector<uint32_t> ids(o.rows), counts(s.experts, 0);
    for (uint32_t i = 0; i < o.rows; ++i) ++counts[ids[i] = i % s.experts];
    std::vector<uint32_t> slots(s.experts, kernels::kAbsentSlot);
    uint32_t chosen = 0;
    for (uint32_t e = 0; e < s.experts; ++e) {
      if (counts[e] > 0) slots[e] = chosen++;
    }
    o.slot_table = uploaded(ctx, slots);
    vk::Buffer d_ids = uploaded(ctx, ids), row_of = ctx.create_buffer(o.rows * 4ull), sources = ctx.create_buffer(o.rows * 4ull);
    o.expert_offsets = ctx.create_buffer((s.experts + 1) * 4ull);
    o.gemv_tiles = ctx.create_buffer(kernels::expert_gemv_tiles(o.rows, s.experts) * 8ull);
    ctx.run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_moe_dispatch(ctx, cmd, d_ids.range(), {o.expert_offsets.range(), row_of.range(), sources.range(), o.gemv_tiles.range()},
                                   tokens, s.used, s.experts);
    });
    o.weight_bytes = uint64_t(chosen) * s.n * row_bytes;
    buffer_bytes = uint64_t(chosen) * matrix_bytes;
  }
  const uint32_t copies =
      static_cast<uint32_t>(std::clamp<uint64_t>((kCacheBustBytes + buffer_bytes - 1) / buffer_bytes, 1, kMaxCopies));
  for (uint32_t i = 0; i < copies; ++i) o.weights.push_back(filled(ctx, buffer_bytes, kFillWord));
  o.x = filled(ctx, uint64_t(o.rows) * s.k * 4, 0x3c23d70au);  // 0.01f
  o.y = filled(ctx, uint64_t(o.rows) * s.n * 4, 0);
  return o;
}

void record_one(vk::Context& ctx, vk::CommandBuffer& cmd, TensorType type, const MatmulShape& s, const Operands& o,
                const vk::Buffer& weights, kernels::GemvLayout layout) {
  const kernels::MatmulChoice choice{kernels::MatmulPath::kAuto, layout};
  if (s.experts == 0) {
    kernels::record_matmul(ctx, cmd, {weights.range(), type, s.k, s.n}, o.x.range(), o.y.range(), o.rows, std::nullopt, choice);
    return;
  }
  const uint64_t row_bytes = kernels::matmul_row_bytes(type, s.k);
  kernels::ExpertWeights w{weights.range(), type, s.k, s.n, s.experts, static_cast<uint32_t>(round_up4(s.n * row_bytes))};
  kernels::ExpertRows rows{o.x.range(), o.expert_offsets.range(), o.slot_table.range(), o.y.range(), o.rows,
                           o.gemv_tiles.range()};
  kernels::record_expert_matmul(ctx, cmd, w, rows, std::nullopt, choice);
}

MatmulTiming time_one(vk::Context& ctx, TensorType type, const MatmulShape& s, uint32_t tokens, uint32_t repetitions,
                      kernels::GemvLayout layout) {
  Operands o = make_operands(ctx, type, s, tokens);
  const uint32_t copies = static_cast<uint32_t>(o.weights.size());
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) { record_one(ctx, cmd, type, s, o, o.weights[0], layout); });
  auto pool = vk::TimestampPool::create(ctx.device(), 2 * repetitions);
  ctx.run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.reset_timestamps(*pool);
    for (uint32_t i = 0; i < repetitions; ++i) {
      cmd.barrier();  // each pair of timestamps brackets one dispatch alone
      cmd.write_timestamp(*pool, 2 * i);
      record_one(ctx, cmd, type, s, o, o.weights[(i + 1) % copies], layout);
      cmd.write_timestamp(*pool, 2 * i + 1);
    }
  });
  std::vector<double> ns = pool->read_ns(2 * repetitions);
  std::vector<double> us;
  for (uint32_t i = 0; i < repetitions; ++i) us.push_back((ns[2 * i + 1] - ns[2 * i]) * 1e-3);
  std::sort(us.begin(), us.end());
  MatmulTiming t{type, s, tokens};
  t.median_us = us[us.size() / 2];
  t.bytes = o.weight_bytes + uint64_t(o.rows) * (s.k + s.n) * 4;
  if (t.median_us <= 0) throw Error(ErrorCode::kInternal, "GPU timestamps did not advance across a matmul");
  t.bytes_per_second = static_cast<double>(t.bytes) / (t.median_us * 1e-6);
  return t;
}

}  // namespace

std::string MatmulShape::name() const {
  std::string dims = std::to_string(n) + "x" + std::to_string(k);
  return experts == 0 ? dims : std::to_string(experts) + "e" + std::to_string(used) + ":" + dims;
}

MatmulShape parse_matmul_shape(const std::string& text) {
  MatmulShape s;
  std::string dims = text;
  const size_t colon = text.find(':');
  if (colon != std::string::npos) {
    const std::string experts = text.substr(0, colon);
    const size_t e = experts.find('e');
    if (e == std::string::npos) throw Error(ErrorCode::kInvalidArgument, "--matmul-shapes: expected EXPERTSeUSED:NxK, got '" + text + "'");
    s.experts = parse_dim(experts.substr(0, e), text);
    s.used = parse_dim(experts.substr(e + 1), text);
    if (s.used > s.experts) throw Error(ErrorCode::kInvalidArgument, "--matmul-shapes: top-" + std::to_string(s.used) + " of " + std::to_string(s.experts) + " experts in '" + text + "'");
    dims = text.substr(colon + 1);
  }
  const size_t x = dims.find('x');
  if (x == std::string::npos) throw Error(ErrorCode::kInvalidArgument, "--matmul-shapes: expected NxK, got '" + text + "'");
  s.n = parse_dim(dims.substr(0, x), text);
  s.k = parse_dim(dims.substr(x + 1), text);
  return s;
}

std::vector<MatmulTiming> time_matmuls(vk::Context& ctx, const std::vector<TensorType>& types,
                                       const std::vector<MatmulShape>& shapes, const std::vector<uint32_t>& tokens,
                                       uint32_t repetitions, kernels::GemvLayout layout) {
  std::vector<MatmulTiming> out;
  for (TensorType type : types) {
    for (const MatmulShape& s : shapes) {
      for (uint32_t t : tokens) {
        out.push_back(time_one(ctx, type, s, t, repetitions, layout));
        const MatmulTiming& m = out.back();
        std::fprintf(stderr, "vkmoe-bench: matmul %s %s T=%u: %.1f us, %.2f GB/s\n", std::string(tensor_type_info(type).name).c_str(),
                     s.name().c_str(), t, m.median_us, m.bytes_per_second / 1e9);
      }
    }
  }
  return out;
}

void write_matmul_markdown(std::FILE* out, const std::vector<MatmulTiming>& timings, double copy_bytes_per_second) {
  std::fprintf(out, "| type | shape | tokens | us | MiB read+written | GB/s | of copy bandwidth |\n");
  std::fprintf(out, "|---|---|---:|---:|---:|---:|---:|\n");
  for (const MatmulTiming& t : timings) {
    std::fprintf(out, "| %s | %s | %u | %.1f | %.2f | %.2f | %.1f %% |\n", std::string(tensor_type_info(t.type).name).c_str(),
                 t.shape.name().c_str(), t.tokens, t.median_us, double(t.bytes) / double(1 << 20), t.bytes_per_second / 1e9,
                 100.0 * t.bytes_per_second / copy_bytes_per_second);
  }
}

void write_matmul_json(std::FILE* out, const std::vector<MatmulTiming>& timings, double copy_bytes_per_second) {
  std::fprintf(out, "[\n");
  for (size_t i = 0; i < timings.size(); ++i) {
    const MatmulTiming& t = timings[i];
    std::fprintf(out,
                 "  {\"type\": \"%s\", \"shape\": \"%s\", \"n\": %u, \"k\": %u, \"experts\": %u, \"experts_used\": %u, "
                 "\"tokens\": %u, \"median_us\": %.3f, \"bytes\": %llu, \"bytes_per_second\": %.6e, "
                 "\"fraction_of_copy_bandwidth\": %.6f}%s\n",
                 std::string(tensor_type_info(t.type).name).c_str(), t.shape.name().c_str(), t.shape.n, t.shape.k, t.shape.experts,
                 t.shape.used, t.tokens, t.median_us, static_cast<unsigned long long>(t.bytes), t.bytes_per_second,
                 t.bytes_per_second / copy_bytes_per_second, i + 1 < timings.size() ? "," : "");
  }
  std::fprintf(out, "]\n");
}

}  // namespace vkmoe::bench
