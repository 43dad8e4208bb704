// A model with a tensor type no kernel decodes is refused when it loads, with the file, the
// tensor and the type in the message, before any weight reaches the device.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "loader/base/error.h"
#include "loader/gguf/gguf_writer.h"
#include "tests/gpu_support/gpu_test.h"

namespace vkmoe::test {
namespace {

// A one-layer qwen3moe: n_embd 256 (one 256-element super-block per row), 2 heads of 32
// (1 kv head), 4 experts of width 32, vocab 8. Every tensor F32 except `odd_name`, which is
// stored as `odd_type`.
void write_model(const std::string& path, const std::string& odd_name, TensorType odd_type) {
  const std::map<std::string, std::vector<uint64_t>> shapes = {
      {"token_embd.weight", {256, 8}},
      {"output_norm.weight", {256}},
      {"blk.0.attn_norm.weight", {256}},
      {"blk.0.attn_q.weight", {256, 64}},
      {"blk.0.attn_k.weight", {256, 32}},
      {"blk.0.attn_v.weight", {256, 32}},
      {"blk.0.attn_output.weight", {64, 256}},
      {"blk.0.attn_q_norm.weight", {32}},
      {"blk.0.attn_k_norm.weight", {32}},
      {"blk.0.ffn_norm.weight", {256}},
      {"blk.0.ffn_gate_inp.weight", {256, 4}},
      {"blk.0.ffn_gate_exps.weight", {256, 32, 4}},
      {"blk.0.ffn_up_exps.weight", {256, 32, 4}},
      {"blk.0.ffn_down_exps.weight", {32, 256, 4}},
  };
  GgufWriter w(path);
  w.add_string("general.architecture", "qwen3moe");
  w.add_u32("qwen3moe.block_count", 1);
  w.add_u32("qwen3moe.context_length", 64);
  w.add_u32("qwen3moe.embedding_length", 256);
  w.add_u32("qwen3moe.feed_forward_length", 128);
  w.add_u32("qwen3moe.expert_feed_forward_length", 32);
  w.add_u32("qwen3moe.attention.head_count", 2);
  w.add_u32("qwen3moe.attention.head_count_kv", 1);
  w.add_u32("qwen3moe.attention.key_length", 32);
  w.add_u32("qwen3moe.attention.value_length", 32);
  w.add_f32("qwen3moe.attention.layer_norm_rms_epsilon", 1e-6f);
  w.add_f32("qwen3moe.rope.freq_base", 10000.0f);
  w.add_u32("qwen3moe.expert_count", 4);
  w.add_u32("qwen3moe.expert_used_count", 2);
  const std::vector<std::string> tokens = {"<|endoftext|>", "a", "b", "c", "d", "e", "f", "g"};
  const std::vector<int32_t> token_types = {3, 1, 1, 1, 1, 1, 1, 1};
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", "qwen2");
  w.add_array("tokenizer.ggml.tokens", GgufArrayValue::of_strings(tokens));
  w.add_array("tokenizer.ggml.merges", GgufArrayValue::of_strings(std::vector<std::string>{}));
  w.add_array("tokenizer.ggml.token_type", GgufArrayValue::of<int32_t>(GgufType::kI32, token_types));
  w.add_u32("tokenizer.ggml.eos_token_id", 0);
  uint64_t total = 0;
  for (const auto& [name, ne] : shapes) total += w.add_tensor(name, name == odd_name ? odd_type : TensorType::kF32, ne);
  w.write_data(std::vector<uint8_t>(total, 0));
  w.finish();
}

struct UnsupportedCase {
  std::string tensor;
  TensorType type;
};

std::string case_name(const UnsupportedCase& c) {
  std::string name = c.tensor + "_" + std::string(tensor_type_info(c.type).name);
  for (char& ch : name) {
    if (ch == '.') ch = '_';
  }
  return name;
}

// A failing case names itself, not its bytes.
void PrintTo(const UnsupportedCase& c, std::ostream* os) { *os << case_name(c); }

class UnsupportedTypeTest : public GpuTest, public ::testing::WithParamInterface<UnsupportedCase> {
 protected:
  void TearDown() override {
    std::filesystem::remove(path_);
    GpuTest::TearDown();
  }
  const std::string path_ = (std::filesystem::temp_directory_path() /
                             ("vkmoe_unsupported_" + std::to_string(::getpid()) + ".gguf")).string();
};

TEST_P(UnsupportedTypeTest, LoadNamesTensorAndType) {
  const auto& [tensor, type] = GetParam();
  write_model(path_, tensor, type);
  try {
    Model::load(ctx(), path_);
    FAIL() << "a model with " << tensor << " as " << tensor_type_info(type).name << " loaded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << message;
    EXPECT_NE(message.find(path_), std::string::npos) << message;
    EXPECT_NE(message.find("'" + tensor + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(tensor_type_info(type).name), std::string::npos) << message;
  }
}

TEST_F(UnsupportedTypeTest, TheSameModelInF32Loads) {
  write_model(path_, "", TensorType::kF32);
  EXPECT_NO_THROW(Model::load(ctx(), path_));
}

INSTANTIATE_TEST_SUITE_P(Types, UnsupportedTypeTest,
                         ::testing::Values(UnsupportedCase{"blk.0.attn_q.weight", TensorType::kIQ2_XXS},
                                           UnsupportedCase{"blk.0.ffn_up_exps.weight", TensorType::kQ8_K},
                                           UnsupportedCase{"token_embd.weight", TensorType::kQ8_K}),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace vkmoe::test
