#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/kernels/attention.h"
#include "engine/kernels/kv_cache_write.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using kernels::AttentionPath;
using kernels::KvCacheType;

// The compiler's IEEE binary16 conversion (round to nearest even) is the oracle for F16
// cache contents.
uint16_t f16_bits(float f) { return std::bit_cast<uint16_t>(static_cast<_Float16>(f)); }
float round_to_f16(float f) { return static_cast<float>(static_cast<_Float16>(f)); }

template <class T>
std::span<const uint8_t> as_bytes(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

struct AttentionCase {
  std::string name;
  uint32_t tokens, p0;  // queries sit at positions p0 .. p0 + tokens - 1; the cache holds p0 + tokens keys
  uint32_t n_head, n_head_kv, head_dim_k, head_dim_v;
  uint32_t window = 0;
  bool sinks = false;
  KvCacheType cache = KvCacheType::kF32;
  AttentionPath path = AttentionPath::kAuto;
  float scale = 0.0f;
};

// A failing case names itself, not its bytes.
void PrintTo(const AttentionCase& c, std::ostream* os) { *os << c.name; }

// The attention definition, in double: for query t at position pos and head h (kv head
// g = h / (n_head / n_head_kv)), keys j with max(0, pos - window + 1) <= j <= pos
// (transformers' causal mask and sliding_window_overlay: kv_idx > q_idx - window),
//   s_j = scale * q . k_j,  w_j = exp(s_j) / (sum_j exp(s_j) + exp(sink_h))  (gpt-oss sinks)
//   out = sum_j w_j v_j.
// q is (T, n_head, dk); k is (n_head_kv, max_ctx, dk); v is (n_head_kv, max_ctx, dv).
std::vector<float> attention_reference(const AttentionCase& c, uint32_t max_ctx, const std::vector<float>& q,
                                       const std::vector<float>& k, const std::vector<float>& v,
                                       const std::vector<float>& sinks, double scale) {
  std::vector<float> out(size_t(c.tokens) * c.n_head * c.head_dim_v);
  uint32_t group = c.n_head / c.n_head_kv;
  for (uint32_t t = 0; t < c.tokens; ++t) {
    uint32_t pos = c.p0 + t;
    uint32_t first = (c.window != 0 && pos + 1 > c.window) ? pos + 1 - c.window : 0;
    for (uint32_t h = 0; h < c.n_head; ++h) {
      uint32_t g = h / group;
      std::vector<double> s;
      double m = c.sinks ? sinks[h] : -INFINITY;
      for (uint32_t j = first; j <= pos; ++j) {
        double dot = 0;
        for (uint32_t d = 0; d < c.head_dim_k; ++d) {
          dot += double(q[(size_t(t) * c.n_head + h) * c.head_dim_k + d]) * k[(size_t(g) * max_ctx + j) * c.head_dim_k + d];
        }
        s.push_back(dot * scale);
        m = std::max(m, s.back());
      }
      double denom = c.sinks ? std::exp(sinks[h] - m) : 0.0;
      for (double& x : s) denom += (x = std::exp(x - m));
      for (uint32_t d = 0; d < c.head_dim_v; ++d) {
        double acc = 0;
        for (uint32_t j = first; j <= pos; ++j) acc += s[j - first] * v[(size_t(g) * max_ctx + j) * c.head_dim_v + d];
        out[(size_t(t) * c.n_head + h) * c.head_dim_v + d] = static_cast<float>(acc / denom);
      }
    }
  }
  return out;
}

class AttentionTest : public GpuTest, public ::testing::WithParamInterface<AttentionCase> {
 protected:
  // A cache (n_head_kv, max_ctx, dim) holding random rows below n_kv and NaN above, so a read
  // past the written keys poisons the output. Returns the values the kernel sees (rounded
  // to f16 for an F16 cache) and fills `device` with them.
  std::vector<float> make_cache(uint32_t heads, uint32_t max_ctx, uint32_t n_kv, uint32_t dim, KvCacheType type,
                                uint32_t seed, vk::Buffer& device) {
    auto values = random_floats(size_t(heads) * max_ctx * dim, seed, -1.0f, 1.0f);
    for (uint32_t g = 0; g < heads; ++g) {
      for (size_t i = size_t(n_kv) * dim; i < size_t(max_ctx) * dim; ++i) values[size_t(g) * max_ctx * dim + i] = NAN;
    }
    if (type == KvCacheType::kF32) {
      device = upload_floats(values);
      return values;
    }
    std::vector<uint16_t> bits(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      bits[i] = f16_bits(values[i]);
      values[i] = round_to_f16(values[i]);
    }
    device = upload_bytes(as_bytes(bits));
    return values;
  }
};

TEST_P(AttentionTest, MatchesReference) {
  const AttentionCase& c = GetParam();
  const uint32_t n_kv = c.p0 + c.tokens, max_ctx = n_kv + 5;
  auto q = random_floats(size_t(c.tokens) * c.n_head * c.head_dim_k, 31, -2.0f, 2.0f);
  auto sinks = random_floats(c.n_head, 32, -1.0f, 3.0f);
  std::vector<uint32_t> positions(c.tokens);
  for (uint32_t t = 0; t < c.tokens; ++t) positions[t] = c.p0 + t;
  vk::Buffer dk, dv;
  auto k = make_cache(c.n_head_kv, max_ctx, n_kv, c.head_dim_k, c.cache, 33, dk);
  auto v = make_cache(c.n_head_kv, max_ctx, n_kv, c.head_dim_v, c.cache, 34, dv);
  vk::Buffer dq = upload_floats(q), dsinks = upload_floats(sinks), dpos = upload_bytes(as_bytes(positions));
  size_t out_n = size_t(c.tokens) * c.n_head * c.head_dim_v;
  vk::Buffer dout = poisoned_floats(out_n);

  kernels::AttentionShape shape;
  shape.tokens = c.tokens;
  shape.n_head = c.n_head;
  shape.n_head_kv = c.n_head_kv;
  shape.head_dim_k = c.head_dim_k;
  shape.head_dim_v = c.head_dim_v;
  shape.n_kv = n_kv;
  shape.max_ctx = max_ctx;
  shape.window = c.window;
  shape.scale = c.scale;
  shape.cache_type = c.cache;
  shape.path = c.path;
  uint64_t scratch_bytes = kernels::attention_scratch_bytes(ctx(), shape);
  vk::Buffer dscratch = poisoned_floats(std::max<uint64_t>(scratch_bytes / 4, 1));
  kernels::AttentionBuffers buffers{dq.range(), dpos.range(), dk.range(), dv.range(), dout.range(), std::nullopt, dscratch.range()};
  if (c.sinks) buffers.sinks = dsinks.range();
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_attention(ctx(), cmd, shape, buffers); });

  double scale = c.scale != 0.0f ? c.scale : 1.0 / std::sqrt(double(c.head_dim_k));
  EXPECT_TRUE(all_close(download_floats(dout, out_n), attention_reference(c, max_ctx, q, k, v, sinks, scale), {2e-6, 2e-5}));
}

AttentionCase decode(std::string name, uint32_t ctx_len, uint32_t heads, uint32_t kv_heads, uint32_t dk, uint32_t dv) {
  return {std::move(name), 1, ctx_len - 1, heads, kv_heads, dk, dv, 0, false, KvCacheType::kF32, AttentionPath::kDecode};
}

AttentionCase prefill(std::string name, uint32_t tokens, uint32_t p0, uint32_t heads, uint32_t kv_heads, uint32_t dk,
                      uint32_t dv) {
  return {std::move(name), tokens, p0, heads, kv_heads, dk, dv, 0, false, KvCacheType::kF32, AttentionPath::kPrefill};
}

AttentionCase with(AttentionCase c, uint32_t window, bool sinks, KvCacheType cache = KvCacheType::kF32) {
  c.name += (window ? "_window" + std::to_string(window) : "") + (sinks ? "_sinks" : "") +
            (cache == KvCacheType::kF16 ? "_f16" : "");
  c.window = window;
  c.sinks = sinks;
  c.cache = cache;
  return c;
}

AttentionCase auto_path(AttentionCase c) {
  c.name += "_auto";
  c.path = AttentionPath::kAuto;
  return c;
}

AttentionCase scaled(AttentionCase c, float scale) {
  c.name += "_scale";
  c.scale = scale;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Decode, AttentionTest,
    // Where one split holds the keys (up to 32 here) the decode kernel finishes in one pass;
    // ctx33 takes two splits and the combine, longer contexts more.
    ::testing::Values(decode("ctx1_gqa4_hd128", 1, 8, 2, 128, 128), decode("ctx7_gqa4_hd128", 7, 8, 2, 128, 128),
                      decode("ctx32_gqa4_hd128", 32, 8, 2, 128, 128), decode("ctx33_gqa4_hd128", 33, 8, 2, 128, 128),
                      decode("ctx32_mla_192_128", 32, 4, 4, 192, 128),
                      with(decode("ctx30_hd64", 30, 8, 2, 64, 64), 0, true),
                      with(decode("ctx20_hd64", 20, 8, 2, 64, 64), 8, true, KvCacheType::kF16),
                      decode("ctx300_gqa4_hd128", 300, 8, 2, 128, 128), decode("ctx1000_gqa4_hd128", 1000, 8, 2, 128, 128),
                      decode("ctx300_mqa_hd64", 300, 4, 1, 64, 64), decode("ctx1000_mla_192_128", 1000, 4, 4, 192, 128),
                      scaled(decode("ctx300_mla_192_128", 300, 4, 4, 192, 128), 0.11f),
                      with(decode("ctx300_hd64", 300, 8, 2, 64, 64), 8, true),
                      with(decode("ctx5_hd64", 5, 8, 2, 64, 64), 8, true),
                      with(decode("ctx300_hd64", 300, 8, 2, 64, 64), 0, true),
                      with(decode("ctx1000_gqa4_hd128", 1000, 8, 2, 128, 128), 0, false, KvCacheType::kF16),
                      with(decode("ctx300_hd64", 300, 8, 2, 64, 64), 8, true, KvCacheType::kF16),
                      auto_path(prefill("t5_p37_gqa4_hd128", 5, 37, 8, 2, 128, 128)),
                      auto_path(prefill("t1_p0_mqa_hd64", 1, 0, 4, 1, 64, 64))),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Prefill, AttentionTest,
    ::testing::Values(prefill("t1_p0_gqa4_hd128", 1, 0, 8, 2, 128, 128), prefill("t1_p37_gqa4_hd128", 1, 37, 8, 2, 128, 128),
                      prefill("t5_p0_gqa4_hd128", 5, 0, 8, 2, 128, 128), prefill("t5_p37_gqa4_hd128", 5, 37, 8, 2, 128, 128),
                      prefill("t64_p0_mqa_hd64", 64, 0, 4, 1, 64, 64), prefill("t64_p37_mqa_hd64", 64, 37, 4, 1, 64, 64),
                      prefill("t130_p0_gqa4_hd64", 130, 0, 4, 1, 64, 64), prefill("t130_p37_gqa4_hd128", 130, 37, 4, 1, 128, 128),
                      prefill("t64_p37_mla_192_128", 64, 37, 4, 4, 192, 128),
                      scaled(prefill("t5_p0_mla_192_128", 5, 0, 2, 2, 192, 128), 0.11f),
                      with(prefill("t64_p37_hd64", 64, 37, 8, 2, 64, 64), 8, true),
                      with(prefill("t130_p0_hd64", 130, 0, 4, 1, 64, 64), 8, true),
                      with(prefill("t5_p37_hd64", 5, 37, 4, 1, 64, 64), 8, false),
                      with(prefill("t130_p37_gqa4_hd128", 130, 37, 4, 1, 128, 128), 0, false, KvCacheType::kF16),
                      with(prefill("t64_p37_hd64", 64, 37, 8, 2, 64, 64), 8, true, KvCacheType::kF16),
                      auto_path(prefill("t64_p37_gqa4_hd128", 64, 37, 4, 1, 128, 128))),
    [](const auto& info) { return info.param.name; });

TEST_F(AttentionTest, RejectsInconsistentShapes) {
  vk::Buffer buf = poisoned_floats(1024);
  auto record = [&](kernels::AttentionShape s) {
    kernels::AttentionBuffers b{buf.range(), buf.range(), buf.range(), buf.range(), buf.range(), std::nullopt, buf.range()};
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) { kernels::record_attention(ctx(), cmd, s, b); });
  };
  kernels::AttentionShape ok;
  ok.tokens = 1;
  ok.n_head = 4;
  ok.n_head_kv = 2;
  ok.head_dim_k = ok.head_dim_v = 16;
  ok.n_kv = 4;
  ok.max_ctx = 8;
  EXPECT_NO_THROW(record(ok));
  auto bad = ok;
  bad.n_head_kv = 3;  // 4 heads not a multiple of 3
  EXPECT_THROW(record(bad), Error);
  bad = ok;
  bad.n_kv = 9;  // past max_ctx
  EXPECT_THROW(record(bad), Error);
  bad = ok;
  bad.n_kv = 0;
  EXPECT_THROW(record(bad), Error);
  bad = ok;
  bad.max_ctx = 64;  // cache of 2 x 64 x 16 floats > 1024
  bad.n_kv = 64;
  EXPECT_THROW(record(bad), Error);
  bad = ok;
  bad.head_dim_k = 4096;  // q needs 4 x 4096 floats
  EXPECT_THROW(record(bad), Error);
}

struct KvWriteCase {
  std::string name;
  KvCacheType type;
};

void PrintTo(const KvWriteCase& c, std::ostream* os) { *os << c.name; }

class KvCacheWriteTest : public GpuTest, public ::testing::WithParamInterface<KvWriteCase> {};

TEST_P(KvCacheWriteTest, WritesRowsAtPositionsOnly) {
  const KvCacheType type = GetParam().type;
  const uint32_t tokens = 5, heads = 3, head_dim = 24, max_ctx = 40, stride = heads * head_dim + 8;
  auto src = random_floats(size_t(tokens) * stride, 41, -3.0f, 3.0f);
  // Values that exercise f16 rounding: past the largest half, subnormals, an exact tie to
  // even, negative zero.
  const float specials[] = {65519.0f, 65520.0f, -70000.0f, 1e-7f, 2.9802322e-8f, -0.0f, 1.0009766f, 0.33333334f};
  std::copy(std::begin(specials), std::end(specials), src.begin());
  const std::vector<uint32_t> positions = {17, 3, 39, 4, 1000};  // 1000 is past max_ctx: skipped
  size_t cache_elems = size_t(heads) * max_ctx * head_dim;
  uint32_t elem = kernels::kv_cache_element_bytes(type);
  vk::Buffer cache = ctx().create_buffer(cache_elems * elem);
  const uint32_t poison = type == KvCacheType::kF16 ? 0x7e017e01u : 0x7fc00001u;
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.fill(cache.range(), poison);
    cmd.barrier();
  });
  vk::Buffer dsrc = upload_floats(src), dpos = upload_bytes(as_bytes(positions));
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_kv_cache_write(ctx(), cmd, type, {tokens, heads, head_dim, max_ctx, stride}, dsrc.range(), dpos.range(),
                                   cache.range());
  });
  std::vector<uint8_t> got(cache_elems * elem);
  ctx().download(cache, 0, got);
  std::vector<uint8_t> want(got.size());
  for (size_t i = 0; i < cache_elems; ++i) std::memcpy(&want[i * elem], &poison, elem);
  for (uint32_t t = 0; t < tokens; ++t) {
    if (positions[t] >= max_ctx) continue;
    for (uint32_t h = 0; h < heads; ++h) {
      for (uint32_t d = 0; d < head_dim; ++d) {
        float x = src[size_t(t) * stride + h * head_dim + d];
        size_t i = (size_t(h) * max_ctx + positions[t]) * head_dim + d;
        if (type == KvCacheType::kF16) {
          uint16_t b = f16_bits(x);
          std::memcpy(&want[i * 2], &b, 2);
        } else {
          std::memcpy(&want[i * 4], &x, 4);
        }
      }
    }
  }
  size_t mismatches = 0;
  for (size_t i = 0; i < cache_elems && mismatches < 5; ++i) {
    if (std::memcmp(&got[i * elem], &want[i * elem], elem) != 0) {
      ++mismatches;
      ADD_FAILURE() << "cache element " << i << " (head " << i / (max_ctx * head_dim) << ", row "
                    << (i / head_dim) % max_ctx << ", dim " << i % head_dim << ") differs";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, KvCacheWriteTest,
                         ::testing::Values(KvWriteCase{"f32", KvCacheType::kF32}, KvWriteCase{"f16", KvCacheType::kF16}),
                         [](const auto& info) { return info.param.name; });

TEST_F(KvCacheWriteTest, RejectsShortRanges) {
  vk::Buffer buf = poisoned_floats(256);
  auto record = [&](kernels::KvCacheShape s) {
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_kv_cache_write(ctx(), cmd, KvCacheType::kF32, s, buf.range(), buf.range(), buf.range());
    });
  };
  EXPECT_NO_THROW(record({2, 2, 8, 16, 0}));
  EXPECT_THROW(record({2, 2, 8, 17, 0}), Error);   // cache 2 x 17 x 8 floats > 256
  EXPECT_THROW(record({2, 2, 8, 16, 15}), Error);  // stride below heads * head_dim
  EXPECT_THROW(record({0, 2, 8, 16, 0}), Error);
}

}  // namespace
}  // namespace vkmoe::test
