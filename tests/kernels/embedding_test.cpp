#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>

#include "engine/kernels/embedding.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/kernels/matmul_reference.h"
#include "tests/support/compare.h"

namespace vkmoe::test {
namespace {

// Tables in every weight format, random blocks as the matmul tests make them; the expected
// rows come from the CPU dequantizer that matmul_quant_golden_test.cpp checks against ggml.
// The GPU decodes with the same float32 operations, so rows must match exactly.
struct EmbeddingCase {
  TensorType type;
  uint32_t n_vocab, hidden;
};

std::string case_name(const EmbeddingCase& c) {
  return std::string(tensor_type_info(c.type).name) + "_v" + std::to_string(c.n_vocab) + "_h" + std::to_string(c.hidden);
}

// A failing case names itself, not its bytes.
void PrintTo(const EmbeddingCase& c, std::ostream* os) { *os << case_name(c); }

class EmbeddingTest : public GpuTest, public ::testing::WithParamInterface<EmbeddingCase> {};

TEST_P(EmbeddingTest, GathersRowsAndZeroesInvalidIds) {
  auto [type, n_vocab, hidden] = GetParam();
  auto bytes = random_weight_bytes(type, hidden, n_vocab, n_vocab + hidden);
  auto table = dequantize_rows(type, bytes, hidden, n_vocab);
  std::vector<uint32_t> ids = {0, n_vocab - 1, n_vocab, 3 % n_vocab, n_vocab + 12345, 0xffffffffu, 1 % n_vocab, 0};
  std::mt19937 rng(4);
  for (int i = 0; i < 60; ++i) ids.push_back(rng() % n_vocab);
  std::vector<float> want(ids.size() * hidden, 0.0f);
  for (size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] < n_vocab) std::copy_n(table.begin() + size_t(ids[t]) * hidden, hidden, want.begin() + t * hidden);
  }
  vk::Buffer dt = upload_bytes(bytes);
  vk::Buffer di = upload_bytes({reinterpret_cast<const uint8_t*>(ids.data()), ids.size() * 4});
  vk::Buffer dout = poisoned_floats(want.size());
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    kernels::record_embedding(ctx(), cmd, type, dt.range(), di.range(), dout.range(), static_cast<uint32_t>(ids.size()),
                              n_vocab, hidden);
  });
  EXPECT_TRUE(all_close(download_floats(dout, want.size()), want, {0.0, 0.0}));
}

// Float formats take any row length; block formats whole blocks (32 or 256 elements), with
// odd vocabularies and rows of one block and of several (awkward row byte counts: 17 * 3 for
// MXFP4, 18 * 5 for Q4_0, ...), which also exercises the aligned row blocks.
std::vector<EmbeddingCase> embedding_cases() {
  std::vector<EmbeddingCase> out = {{TensorType::kF32, 1, 1},     {TensorType::kF32, 1000, 67},
                                    {TensorType::kF16, 1, 3},     {TensorType::kF16, 513, 131},
                                    {TensorType::kBF16, 2, 1},    {TensorType::kBF16, 777, 1025}};
  for (TensorType t : {TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1, TensorType::kQ5_0, TensorType::kQ5_1,
                       TensorType::kIQ4_NL, TensorType::kMXFP4}) {
    out.push_back({t, 1, 32});
    out.push_back({t, 301, 96});
    out.push_back({t, 67, 160});
  }
  for (TensorType t : {TensorType::kQ2_K, TensorType::kQ3_K, TensorType::kQ4_K, TensorType::kQ5_K, TensorType::kQ6_K}) {
    out.push_back({t, 1, 256});
    out.push_back({t, 129, 512});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Formats, EmbeddingTest, ::testing::ValuesIn(embedding_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST_F(EmbeddingTest, RejectsShortTable) {
  vk::Buffer b = poisoned_floats(64);
  auto cmd = vk::CommandBuffer::create(ctx().device(), ctx().caps().compute_family);
  cmd->begin();
  EXPECT_THROW(kernels::record_embedding(ctx(), *cmd, TensorType::kF32, b.range(), b.range(), b.range(), 1, 65, 1), Error);
  EXPECT_THROW(kernels::record_embedding(ctx(), *cmd, TensorType::kF16, b.range(), b.range(), b.range(), 1, 0, 4), Error);
  // 64 floats hold 7 Q4_0 rows of 32 elements (18 bytes each), not 15.
  EXPECT_THROW(kernels::record_embedding(ctx(), *cmd, TensorType::kQ4_0, b.range(), b.range(), b.range(), 1, 15, 32), Error);
  cmd->end();
}

TEST_F(EmbeddingTest, RejectsPartialBlocksAndUndecodedTypes) {
  vk::Buffer b = poisoned_floats(4096);
  auto cmd = vk::CommandBuffer::create(ctx().device(), ctx().caps().compute_family);
  cmd->begin();
  try {
    kernels::record_embedding(ctx(), *cmd, TensorType::kQ4_K, b.range(), b.range(), b.range(), 1, 4, 100);
    ADD_FAILURE() << "a row of 100 Q4_K elements was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Q4_K"), std::string::npos) << e.what();
  }
  try {
    kernels::record_embedding(ctx(), *cmd, TensorType::kIQ2_XXS, b.range(), b.range(), b.range(), 1, 4, 256);
    ADD_FAILURE() << "an IQ2_XXS table was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("IQ2_XXS"), std::string::npos) << e.what();
  }
  cmd->end();
}

}  // namespace
}  // namespace vkmoe::test
