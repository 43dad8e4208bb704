// The layout conversions on matrices small enough to write out by hand.
#include "loader/hf/hf_tensor_conversions.h"

#include <gtest/gtest.h>

#include <cstring>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

struct F32Tensor {
  std::vector<float> values;
  SafetensorsTensor tensor;
  F32Tensor(std::string name, std::vector<uint64_t> shape, std::vector<float> v) : values(std::move(v)) {
    tensor.name = std::move(name);
    tensor.dtype = SafetensorsDtype::kF32;
    tensor.shape = std::move(shape);
    tensor.bytes = {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)};
  }
};

std::vector<float> floats(const ConvertedTensor& t) {
  std::vector<float> out(t.bytes.size() / sizeof(float));
  std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

TEST(HfConversions, MlaKvBSplitsKeysTransposedAndValuesAsTheyAre) {
  ModelConfig c;
  c.n_head = 2;
  c.qk_nope_head_dim = 2;
  c.head_dim_v = 1;
  c.kv_lora_rank = 2;
  // Per head: two key rows then one value row, each over the 2 latent dims.
  F32Tensor kv_b("kv_b", {6, 2}, {1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16});
  auto out = split_mla_kv_b(kv_b.tensor, "blk.0.", c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "blk.0.attn_k_b.weight");
  EXPECT_EQ(out[0].ne, (std::vector<uint64_t>{2, 2, 2}));
  EXPECT_EQ(floats(out[0]), (std::vector<float>{1, 3, 2, 4, 11, 13, 12, 14}));
  EXPECT_EQ(out[1].name, "blk.0.attn_v_b.weight");
  EXPECT_EQ(out[1].ne, (std::vector<uint64_t>{2, 1, 2}));
  EXPECT_EQ(floats(out[1]), (std::vector<float>{5, 6, 15, 16}));
}

TEST(HfConversions, GptOssGateUpDeinterleavesAndTransposes) {
  ModelConfig c;
  c.n_expert = 1;
  c.n_embd = 2;
  c.n_ff_expert = 2;
  // Rows are inputs; columns alternate gate, up.
  F32Tensor gate_up("gate_up", {1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto out = split_gpt_oss_gate_up(gate_up.tensor, "blk.3.", c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "blk.3.ffn_gate_exps.weight");
  EXPECT_EQ(out[0].ne, (std::vector<uint64_t>{2, 2, 1}));
  EXPECT_EQ(floats(out[0]), (std::vector<float>{1, 5, 3, 7}));
  EXPECT_EQ(floats(out[1]), (std::vector<float>{2, 6, 4, 8}));

  F32Tensor bias("bias", {1, 4}, {1, 2, 3, 4});
  auto b = split_gpt_oss_gate_up_bias(bias.tensor, "blk.3.", c);
  EXPECT_EQ(b[0].ne, (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(floats(b[0]), (std::vector<float>{1, 3}));
  EXPECT_EQ(floats(b[1]), (std::vector<float>{2, 4}));

  F32Tensor down("down", {1, 2, 2}, {1, 2, 3, 4});
  ConvertedTensor d = transpose_gpt_oss_down(down.tensor, "blk.3.", c);
  EXPECT_EQ(d.ne, (std::vector<uint64_t>{2, 2, 1}));
  EXPECT_EQ(floats(d), (std::vector<float>{1, 3, 2, 4}));
}

TEST(HfConversions, ShapeThatDisagreesWithTheConfig) {
  ModelConfig c;
  c.n_expert = 2;
  c.n_embd = 2;
  c.n_ff_expert = 2;
  F32Tensor gate_up("model.layers.0.mlp.experts.gate_up_proj", {1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  try {
    split_gpt_oss_gate_up(gate_up.tensor, "blk.0.", c);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidFile);
    EXPECT_NE(std::string(e.what()).find("shape [1, 2, 4], config.json implies [2, 2, 4]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vkmoe
