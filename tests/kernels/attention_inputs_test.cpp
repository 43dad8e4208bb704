#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <ostream>
#include <utility>
#include <string>
#include <vector>

#include "engine/kernels/attention_inputs.h"
#include "engine/kernels/kv_cache_write.h"
#include "engine/kernels/rms_norm.h"
#include "engine/kernels/rope.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/rope_reference.h"
#include "tests/support/compare.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using kernels::KvCacheType;
using kernels::QkNorm;
using kernels::RopeConfig;
using kernels::RopeStyle;

constexpr float kEps = 1e-6f;
constexpr uint32_t kMaxCtx = 48;

struct InputsCase {
  std::string name;
  QkNorm norm;
  RopeConfig rope;
  uint32_t tokens, n_head, n_head_kv, head_dim_k, head_dim_v;
  KvCacheType cache;
};

RopeConfig rope(RopeStyle style, uint32_t n_rot, double base) {
  RopeConfig c;
  c.style = style;
  c.n_rot = n_rot;
  c.base = base;
  return c;
}

RopeConfig yarn(uint32_t n_rot) {
  RopeConfig c = rope(RopeStyle::kNeox, n_rot, 150000);
  c.scaling = kernels::RopeScaling::kYarn;
  c.factor = 32.0;
  c.original_context = 4096;
  c.truncate = false;
  return c;
}

// Out of order, one repeated slot apart, and the last one past the cache (skipped).
std::vector<uint32_t> positions_for(uint32_t tokens) {
  std::vector<uint32_t> pos(tokens);
  for (uint32_t t = 0; t < tokens; ++t) pos[t] = (t * 29u + 7u) % kMaxCtx;
  if (tokens > 1) pos[tokens - 1] = kMaxCtx + 5;
  return pos;
}

// RMSNorm in double over groups of n floats, each with the n-float weight.
std::vector<float> norm_reference(const std::vector<float>& x, const std::vector<float>& w, size_t n) {
  std::vector<float> out(x.size());
  for (size_t g = 0; g < x.size() / n; ++g) {
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += double(x[g * n + i]) * x[g * n + i];
    const double scale = 1.0 / std::sqrt(ss / n + kEps);
    for (size_t i = 0; i < n; ++i) out[g * n + i] = static_cast<float>(x[g * n + i] * scale * w[i]);
  }
  return out;
}

uint16_t f16_bits(float f) { return std::bit_cast<uint16_t>(static_cast<_Float16>(f)); }
float f16_value(uint16_t bits) { return static_cast<float>(std::bit_cast<_Float16>(bits)); }

template <class T>
std::span<const uint8_t> as_bytes(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

class AttentionInputsTest : public GpuTest, public ::testing::WithParamInterface<InputsCase> {
 protected:
  static constexpr uint32_t kPoison16 = 0x7e017e01u, kPoison32 = 0x7fc00001u;

  vk::Buffer poisoned_cache(KvCacheType type, uint32_t heads, uint32_t head_dim) {
    vk::Buffer cache = ctx().create_buffer(uint64_t(heads) * kMaxCtx * head_dim * kernels::kv_cache_element_bytes(type));
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      cmd.fill(cache.range(), type == KvCacheType::kF16 ? kPoison16 : kPoison32);
      cmd.barrier();
    });
    return cache;
  }

  // A cache of `elems` elements of `type`, as floats; poison (never written) reads as NaN.
  std::vector<float> download_cache(const vk::Buffer& cache, KvCacheType type, size_t elems) {
    std::vector<float> out(elems);
    if (type == KvCacheType::kF32) return download_floats(cache, elems);
    std::vector<uint8_t> raw(elems * 2);
    ctx().download(cache, 0, raw);
    for (size_t i = 0; i < elems; ++i) {
      uint16_t b;
      std::memcpy(&b, &raw[i * 2], 2);
      out[i] = f16_value(b);
    }
    return out;
  }

  std::vector<uint8_t> download_raw(const vk::Buffer& buffer) {
    std::vector<uint8_t> raw(buffer.size());
    ctx().download(buffer, 0, raw);
    return raw;
  }
};

// The norm weights' length: one head's, or a token's heads'.
uint32_t norm_width(const InputsCase& c, uint32_t heads) {
  return c.norm == QkNorm::kWholeToken ? heads * c.head_dim_k : c.head_dim_k;
}

void PrintTo(const InputsCase& c, std::ostream* os) { *os << c.name; }

TEST_P(AttentionInputsTest, MatchesReference) {
  const InputsCase& c = GetParam();
  const uint32_t T = c.tokens, hd = c.head_dim_k, hv = c.head_dim_v;
  const auto q = random_floats(size_t(T) * c.n_head * hd, 1, -2.0f, 2.0f);
  const auto k = random_floats(size_t(T) * c.n_head_kv * hd, 2, -2.0f, 2.0f);
  const auto v = random_floats(size_t(T) * c.n_head_kv * hv, 3, -70000.0f, 70000.0f);  // past the largest half too
  const auto q_norm = random_floats(norm_width(c, c.n_head), 4, 0.5f, 1.5f);
  const auto k_norm = random_floats(norm_width(c, c.n_head_kv), 5, 0.5f, 1.5f);
  const auto positions = positions_for(T);

  vk::Buffer dq = upload_floats(q), dk = upload_floats(k), dv = upload_floats(v);
  vk::Buffer dqn = upload_floats(q_norm), dkn = upload_floats(k_norm), dpos = upload_bytes(as_bytes(positions));
  vk::Buffer k_cache = poisoned_cache(c.cache, c.n_head_kv, hd), v_cache = poisoned_cache(c.cache, c.n_head_kv, hv);
  const bool normed = c.norm != QkNorm::kNone;
  kernels::AttentionInputs in{dq.range(), dk.range(), dv.range(), dpos.range(), k_cache.range(), v_cache.range(), {}, {}};
  if (normed) {
    in.q_norm = dqn.range();
    in.k_norm = dkn.range();
  }
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_attention_inputs(ctx(), cmd, {T, c.n_head, c.n_head_kv, hd, hv, kMaxCtx}, {c.norm, kEps}, c.rope, c.cache, in);
  });

  const auto want_q = rope_reference(normed ? norm_reference(q, q_norm, q_norm.size()) : q, positions, c.n_head, hd, c.rope);
  const auto want_k = rope_reference(normed ? norm_reference(k, k_norm, k_norm.size()) : k, positions, c.n_head_kv, hd, c.rope);
  // Angles in float32 carry ~3e-4 rad at the larger positions (see RopeTest).
  EXPECT_TRUE(all_close(download_floats(dq, q.size()), want_q, {1e-4, 1.5e-3}, "q"));
  EXPECT_EQ(download_floats(dk, k.size()), k) << "k is read only";

  // The caches: each token's rows at its position, every other element still poison.
  const bool f16 = c.cache == KvCacheType::kF16;
  // Returns the cache's rows for the tokens, and what they should hold.
  auto cache_rows = [&](const vk::Buffer& cache, const std::vector<float>& src, uint32_t dim, const char* what) {
    const size_t elems = size_t(c.n_head_kv) * kMaxCtx * dim;
    const auto got = download_cache(cache, c.cache, elems);
    std::vector<float> got_rows, want_rows;
    std::vector<bool> written(elems, false);
    for (uint32_t t = 0; t < T; ++t) {
      if (positions[t] >= kMaxCtx) continue;
      for (uint32_t h = 0; h < c.n_head_kv; ++h) {
        for (uint32_t d = 0; d < dim; ++d) {
          const size_t i = (size_t(h) * kMaxCtx + positions[t]) * dim + d;
          const float want = src[(size_t(t) * c.n_head_kv + h) * dim + d];
          written[i] = true;
          got_rows.push_back(got[i]);
          want_rows.push_back(f16 ? f16_value(f16_bits(want)) : want);
        }
      }
    }
    size_t touched = 0;
    for (size_t i = 0; i < elems; ++i) touched += !written[i] && !std::isnan(got[i]);
    EXPECT_EQ(touched, 0u) << what << ": elements outside the tokens' rows were written";
    return std::pair(got_rows, want_rows);
  };
  // k within rope's tolerance plus F16's rounding (half a unit in the last place, ~5e-4
  // relative); v is copied, so exactly, infinities past the largest half included.
  const auto [got_k, expected_k] = cache_rows(k_cache, want_k, hd, "k cache");
  EXPECT_TRUE(all_close(got_k, expected_k, {f16 ? 1e-3 : 1e-4, f16 ? 2e-3 : 1.5e-3}, "k cache"));
  const auto [got_v, expected_v] = cache_rows(v_cache, v, hv, "v cache");
  EXPECT_EQ(got_v, expected_v) << "v cache";
}

// The forward pass relies on this: the fused kernel gives the bits of rms_norm, rope and
// kv_cache_write run one after another.
TEST_P(AttentionInputsTest, SameBitsAsSeparateKernels) {
  const InputsCase& c = GetParam();
  const uint32_t T = c.tokens, hd = c.head_dim_k, hv = c.head_dim_v;
  const auto q = random_floats(size_t(T) * c.n_head * hd, 11, -3.0f, 3.0f);
  const auto k = random_floats(size_t(T) * c.n_head_kv * hd, 12, -3.0f, 3.0f);
  const auto v = random_floats(size_t(T) * c.n_head_kv * hv, 13, -3.0f, 3.0f);
  const auto q_norm = random_floats(norm_width(c, c.n_head), 14, 0.5f, 1.5f);
  const auto k_norm = random_floats(norm_width(c, c.n_head_kv), 15, 0.5f, 1.5f);
  const auto positions = positions_for(T);
  const bool normed = c.norm != QkNorm::kNone;
  vk::Buffer dqn = upload_floats(q_norm), dkn = upload_floats(k_norm), dpos = upload_bytes(as_bytes(positions));

  vk::Buffer fused_q = upload_floats(q), fused_k = upload_floats(k), fused_v = upload_floats(v);
  vk::Buffer fused_kc = poisoned_cache(c.cache, c.n_head_kv, hd), fused_vc = poisoned_cache(c.cache, c.n_head_kv, hv);
  kernels::AttentionInputs in{fused_q.range(), fused_k.range(), fused_v.range(), dpos.range(), fused_kc.range(), fused_vc.range(),
                              {}, {}};
  if (normed) {
    in.q_norm = dqn.range();
    in.k_norm = dkn.range();
  }
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_attention_inputs(ctx(), cmd, {T, c.n_head, c.n_head_kv, hd, hv, kMaxCtx}, {c.norm, kEps}, c.rope, c.cache, in);
  });

  vk::Buffer sq = upload_floats(q), sk = upload_floats(k), sv = upload_floats(v);
  vk::Buffer split_kc = poisoned_cache(c.cache, c.n_head_kv, hd), split_vc = poisoned_cache(c.cache, c.n_head_kv, hv);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    if (normed) {
      const uint32_t qn = norm_width(c, c.n_head), kn = norm_width(c, c.n_head_kv);
      kernels::record_rms_norm(ctx(), cmd, sq.range(), dqn.range(), sq.range(), qn, uint32_t(q.size() / qn), kEps);
      kernels::record_rms_norm(ctx(), cmd, sk.range(), dkn.range(), sk.range(), kn, uint32_t(k.size() / kn), kEps);
      cmd.barrier();
    }
    kernels::record_rope(ctx(), cmd, c.rope, {T, c.n_head, hd}, sq.range(), dpos.range(), sq.range());
    kernels::record_rope(ctx(), cmd, c.rope, {T, c.n_head_kv, hd}, sk.range(), dpos.range(), sk.range());
    cmd.barrier();
    kernels::record_kv_cache_write(ctx(), cmd, c.cache, {T, c.n_head_kv, hd, kMaxCtx}, sk.range(), dpos.range(), split_kc.range());
    kernels::record_kv_cache_write(ctx(), cmd, c.cache, {T, c.n_head_kv, hv, kMaxCtx}, sv.range(), dpos.range(), split_vc.range());
  });
  EXPECT_EQ(download_raw(fused_q), download_raw(sq)) << "q";
  EXPECT_EQ(download_raw(fused_kc), download_raw(split_kc)) << "k cache";
  EXPECT_EQ(download_raw(fused_vc), download_raw(split_vc)) << "v cache";
}

INSTANTIATE_TEST_SUITE_P(
    Models, AttentionInputsTest,
    ::testing::Values(
        // Qwen3: per-head norms, neox; one decode token.
        InputsCase{"per_head_norm_decode_t1", QkNorm::kPerHead, rope(RopeStyle::kNeox, 128, 1000000), 1, 4, 2, 128, 128,
                   KvCacheType::kF16},
        InputsCase{"per_head_norm_t9_f32", QkNorm::kPerHead, rope(RopeStyle::kNeox, 64, 10000), 9, 6, 2, 64, 64,
                   KvCacheType::kF32},
        // OLMoE: one norm over a token's heads.
        InputsCase{"whole_token_norm_t8", QkNorm::kWholeToken, rope(RopeStyle::kNeox, 64, 10000), 8, 4, 4, 64, 64,
                   KvCacheType::kF16},
        // A q row of 1024 floats sums over 256 lanes, a k row of 256 over 64, in one workgroup.
        InputsCase{"whole_token_norm_lanes_differ_t9", QkNorm::kWholeToken, rope(RopeStyle::kNeox, 64, 10000), 9, 16, 4, 64,
                   64, KvCacheType::kF32},
        // Mixtral: no norms, interleaved pairs.
        InputsCase{"no_norm_normal_style_t5", QkNorm::kNone, rope(RopeStyle::kNormal, 64, 1000000), 5, 4, 1, 64, 64,
                   KvCacheType::kF32},
        // gpt-oss: YaRN, no norms; a long prompt.
        InputsCase{"no_norm_yarn_t33", QkNorm::kNone, yarn(64), 33, 4, 2, 64, 64, KvCacheType::kF16},
        // Partial rotary (16 of 24 dims), v heads wider than k's.
        InputsCase{"per_head_norm_partial_rotary_v_wider", QkNorm::kPerHead, rope(RopeStyle::kNormal, 16, 10000), 7, 3, 3, 24,
                   40, KvCacheType::kF16}),
    [](const auto& info) { return info.param.name; });

TEST_F(AttentionInputsTest, RejectsBadArguments) {
  vk::Buffer buf = poisoned_floats(4096);
  const RopeConfig r = rope(RopeStyle::kNeox, 16, 10000);
  auto record = [&](kernels::AttentionInputsShape s, QkNorm norm, bool weights, uint32_t n_rot = 16) {
    RopeConfig rc = r;
    rc.n_rot = n_rot;
    kernels::AttentionInputs in{buf.range(), buf.range(), buf.range(), buf.range(), buf.range(), buf.range(), {}, {}};
    if (weights) in.q_norm = in.k_norm = buf.range();
    ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
      kernels::record_attention_inputs(ctx(), cmd, s, {norm, kEps}, rc, KvCacheType::kF32, in);
    });
  };
  EXPECT_NO_THROW(record({2, 2, 1, 16, 16, 64}, QkNorm::kPerHead, true));
  EXPECT_THROW(record({2, 2, 1, 16, 16, 64}, QkNorm::kPerHead, false), Error) << "a norm without weights";
  EXPECT_THROW(record({2, 2, 1, 16, 16, 64}, QkNorm::kNone, true), Error) << "weights without a norm";
  EXPECT_THROW(record({2, 2, 1, 16, 16, 257}, QkNorm::kNone, false), Error) << "cache of 257 x 16 floats > 4096";
  EXPECT_THROW(record({0, 2, 1, 16, 16, 64}, QkNorm::kNone, false), Error) << "no tokens";
  EXPECT_THROW(record({2, 2, 1, 16, 16, 64}, QkNorm::kNone, false, 18), Error) << "n_rot past head_dim";
}

}  // namespace
}  // namespace vkmoe::test
