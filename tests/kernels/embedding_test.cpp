#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>

#include "engine/kernels/embedding.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"

namespace vkmoe::test {
namespace {

using kernels::EmbeddingStorage;

// Table values m * 2^e with |m| < 128 are exact in F32, F16 and BF16, so the expected output
// is the value itself. F16 bits come from the compiler's _Float16, BF16 bits are the upper
// half of the exact F32.
std::vector<float> exact_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = std::ldexp(static_cast<float>(static_cast<int>(rng() % 255) - 127), static_cast<int>(rng() % 12) - 8);
  return v;
}

std::vector<uint8_t> encode(const std::vector<float>& v, EmbeddingStorage storage) {
  std::vector<uint8_t> bytes;
  for (float x : v) {
    if (storage == EmbeddingStorage::kF32) {
      uint32_t b = std::bit_cast<uint32_t>(x);
      for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(b >> (8 * i)));
    } else {
      uint16_t b = storage == EmbeddingStorage::kF16 ? std::bit_cast<uint16_t>(static_cast<_Float16>(x))
                                                     : static_cast<uint16_t>(std::bit_cast<uint32_t>(x) >> 16);
      bytes.push_back(static_cast<uint8_t>(b));
      bytes.push_back(static_cast<uint8_t>(b >> 8));
    }
  }
  return bytes;
}

const char* storage_name(EmbeddingStorage s) {
  switch (s) {
    case EmbeddingStorage::kF32: return "F32";
    case EmbeddingStorage::kF16: return "F16";
    case EmbeddingStorage::kBF16: return "BF16";
  }
  return "?";
}

struct EmbeddingCase {
  EmbeddingStorage storage;
  uint32_t n_vocab, hidden;
};

class EmbeddingTest : public GpuTest, public ::testing::WithParamInterface<EmbeddingCase> {};

TEST_P(EmbeddingTest, GathersRowsAndZeroesInvalidIds) {
  auto [storage, n_vocab, hidden] = GetParam();
  auto table = exact_values(size_t(n_vocab) * hidden, n_vocab + hidden);
  std::vector<uint32_t> ids = {0, n_vocab - 1, n_vocab, 3 % n_vocab, n_vocab + 12345, 0xffffffffu, 1 % n_vocab, 0};
  std::mt19937 rng(4);
  for (int i = 0; i < 60; ++i) ids.push_back(rng() % n_vocab);
  std::vector<float> want(ids.size() * hidden, 0.0f);
  for (size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] < n_vocab) std::copy_n(table.begin() + size_t(ids[t]) * hidden, hidden, want.begin() + t * hidden);
  }
  vk::Buffer dt = upload_bytes(encode(table, storage));
  vk::Buffer di = upload_bytes({reinterpret_cast<const uint8_t*>(ids.data()), ids.size() * 4});
  vk::Buffer dout = poisoned_floats(want.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_embedding(ctx(), cmd, storage, dt.range(), di.range(), dout.range(), static_cast<uint32_t>(ids.size()),
                              n_vocab, hidden);
  });
  EXPECT_TRUE(all_close(download_floats(dout, want.size()), want, {0.0, 0.0}));
}

INSTANTIATE_TEST_SUITE_P(Storage, EmbeddingTest,
                         ::testing::Values(EmbeddingCase{EmbeddingStorage::kF32, 1, 1},
                                           EmbeddingCase{EmbeddingStorage::kF32, 1000, 67},
                                           EmbeddingCase{EmbeddingStorage::kF16, 1, 3},
                                           EmbeddingCase{EmbeddingStorage::kF16, 513, 131},
                                           EmbeddingCase{EmbeddingStorage::kBF16, 2, 1},
                                           EmbeddingCase{EmbeddingStorage::kBF16, 777, 1025}),
                         [](const auto& info) {
                           return std::string(storage_name(info.param.storage)) + "_v" + std::to_string(info.param.n_vocab) +
                                  "_h" + std::to_string(info.param.hidden);
                         });

TEST_F(EmbeddingTest, RejectsShortTable) {
  vk::Buffer b = poisoned_floats(64);
  auto cmd = vk::CommandBuffer::create(ctx().device(), ctx().caps().compute_family);
  cmd->begin();
  EXPECT_THROW(kernels::record_embedding(ctx(), *cmd, EmbeddingStorage::kF32, b.range(), b.range(), b.range(), 1, 65, 1), Error);
  EXPECT_THROW(kernels::record_embedding(ctx(), *cmd, EmbeddingStorage::kF16, b.range(), b.range(), b.range(), 1, 0, 4), Error);
  cmd->end();
}

}  // namespace
}  // namespace vkmoe::test
