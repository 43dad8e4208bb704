// Whole Hugging Face folders written by the test: a tiny tied Llama in one file or two
// shards, and the ways a folder can be wrong.
#include <gtest/gtest.h>

#include "loader/base/error.h"
#include "loader/hf/hf_model.h"
#include "loader/model/model_spec.h"
#include "tests/safetensors/safetensors_bytes.h"
#include "tests/support/scratch_dir.h"

namespace vkmoe {
namespace {

using test::TensorEntry;

// vocab 8, hidden 4, 1 layer, 2 heads of 2 (1 kv head), FFN 6, tied embeddings.
const std::string kConfig = R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 4, "num_hidden_layers": 1,
  "num_attention_heads": 2, "num_key_value_heads": 1, "intermediate_size": 6, "tie_word_embeddings": true,
  "rope_theta": 10000.0, "eos_token_id": 2})";

std::vector<TensorEntry> tiny_llama() {
  return {
      {"model.embed_tokens.weight", "F32", {8, 4}},
      {"model.norm.weight", "F32", {4}},
      {"model.layers.0.input_layernorm.weight", "F32", {4}},
      {"model.layers.0.post_attention_layernorm.weight", "F32", {4}},
      {"model.layers.0.self_attn.q_proj.weight", "BF16", {4, 4}, 2},
      {"model.layers.0.self_attn.k_proj.weight", "BF16", {2, 4}, 2},
      {"model.layers.0.self_attn.v_proj.weight", "BF16", {2, 4}, 2},
      {"model.layers.0.self_attn.o_proj.weight", "BF16", {4, 4}, 2},
      {"model.layers.0.mlp.gate_proj.weight", "F16", {6, 4}, 2},
      {"model.layers.0.mlp.up_proj.weight", "F16", {6, 4}, 2},
      {"model.layers.0.mlp.down_proj.weight", "F16", {4, 6}, 2},
  };
}

class HfFolder : public ::testing::Test {
 protected:
  void write(const std::vector<TensorEntry>& tensors, const std::string& config = kConfig) {
    test::write_file(dir_.file("config.json"), config);
    test::write_file(dir_.file("model.safetensors"), test::safetensors_bytes(tensors));
  }
  void expect_error(ErrorCode code, const std::string& needle) {
    try {
      load_hf_weights(dir_.path());
      ADD_FAILURE() << "no error; expected one mentioning " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
  test::ScratchDir dir_;
};

TEST_F(HfFolder, TinyLlamaSingleFile) {
  write(tiny_llama());
  ModelSpec spec = load_model_spec(dir_.path());  // a folder dispatches to the HF loader
  EXPECT_EQ(spec.format, "safetensors");
  EXPECT_TRUE(spec.config.tie_embeddings);
  EXPECT_EQ(spec.find("output.weight"), nullptr);
  EXPECT_EQ(spec.tensors.size(), 11u);
  const TensorData& q = spec.require("blk.0.attn_q.weight");
  EXPECT_EQ(q.type, TensorType::kBF16);
  EXPECT_EQ(q.n_dims, 2u);
  EXPECT_EQ(q.ne, (std::array<uint64_t, 4>{4, 4, 1, 1}));
  const TensorData& down = spec.require("blk.0.ffn_down.weight");
  EXPECT_EQ(down.type, TensorType::kF16);
  EXPECT_EQ(down.ne, (std::array<uint64_t, 4>{6, 4, 1, 1}));
  EXPECT_EQ(down.bytes, 48u);
  const TensorData& embd = spec.require("token_embd.weight");
  EXPECT_EQ(embd.ne, (std::array<uint64_t, 4>{4, 8, 1, 1}));
  EXPECT_EQ(embd.slices.at(0)[5], 5);  // the data section's first bytes, as written
  EXPECT_FALSE(spec.config.has_qkv_bias);
}

TEST_F(HfFolder, ShardedThroughIndex) {
  std::vector<TensorEntry> all = tiny_llama();
  std::vector<TensorEntry> first(all.begin(), all.begin() + 5), second(all.begin() + 5, all.end());
  nlohmann::json map;
  for (const auto& t : first) map[t.name] = "model-00001-of-00002.safetensors";
  for (const auto& t : second) map[t.name] = "model-00002-of-00002.safetensors";
  test::write_file(dir_.file("config.json"), kConfig);
  test::write_file(dir_.file("model-00001-of-00002.safetensors"), test::safetensors_bytes(first));
  test::write_file(dir_.file("model-00002-of-00002.safetensors"), test::safetensors_bytes(second));
  test::write_file(dir_.file("model.safetensors.index.json"), nlohmann::json{{"metadata", {}}, {"weight_map", map}}.dump());
  ModelSpec spec = load_hf_weights(dir_.path());
  EXPECT_EQ(spec.tensors.size(), 11u);
  EXPECT_EQ(spec.metadata_summary.at("files"), "2");

  map["model.norm.weight"] = "model-00003-of-00003.safetensors";
  test::write_file(dir_.file("model.safetensors.index.json"), nlohmann::json{{"weight_map", map}}.dump());
  expect_error(ErrorCode::kNotFound, "model-00003-of-00003.safetensors");

  map["model.norm.weight"] = "../model-00001-of-00002.safetensors";
  test::write_file(dir_.file("model.safetensors.index.json"), nlohmann::json{{"weight_map", map}}.dump());
  expect_error(ErrorCode::kInvalidFile, "not a file in the folder");

  map["model.norm.weight"] = "model-00002-of-00002.safetensors";  // which lacks it
  test::write_file(dir_.file("model.safetensors.index.json"), nlohmann::json{{"weight_map", map}}.dump());
  expect_error(ErrorCode::kInvalidFile, "lacks it");

  test::write_file(dir_.file("model.safetensors.index.json"), "{\"weight_map\": 3}");
  expect_error(ErrorCode::kInvalidFile, "weight_map");
}

TEST_F(HfFolder, TensorInTwoShards) {
  std::vector<TensorEntry> all = tiny_llama();
  test::write_file(dir_.file("config.json"), kConfig);
  test::write_file(dir_.file("a.safetensors"), test::safetensors_bytes(all));
  test::write_file(dir_.file("b.safetensors"), test::safetensors_bytes({all[1]}));
  nlohmann::json map;
  for (const auto& t : all) map[t.name] = "a.safetensors";
  map["model.norm.weight"] = "b.safetensors";
  test::write_file(dir_.file("model.safetensors.index.json"), nlohmann::json{{"weight_map", map}}.dump());
  expect_error(ErrorCode::kInvalidFile, "is in both");
}

TEST_F(HfFolder, NoWeights) {
  test::write_file(dir_.file("config.json"), kConfig);
  expect_error(ErrorCode::kNotFound, "no model.safetensors");
}

TEST_F(HfFolder, UnknownTensorIsRefused) {
  auto tensors = tiny_llama();
  tensors.push_back({"model.layers.0.self_attn.mystery.weight", "F32", {4}});
  write(tensors);
  expect_error(ErrorCode::kUnsupported, "'model.layers.0.self_attn.mystery.weight' is not part of a llama model");
}

TEST_F(HfFolder, KnownTensorTheArchitectureDoesNotUse) {
  auto tensors = tiny_llama();
  tensors.push_back({"model.layers.0.self_attn.q_norm.weight", "F32", {2}});
  write(tensors);
  expect_error(ErrorCode::kUnsupported, "is not used by a llama model");
}

TEST_F(HfFolder, LayerBeyondTheConfig) {
  auto tensors = tiny_llama();
  tensors.push_back({"model.layers.1.input_layernorm.weight", "F32", {4}});
  write(tensors);
  expect_error(ErrorCode::kUnsupported, "model.layers.1.input_layernorm.weight");
}

TEST_F(HfFolder, MissingTensor) {
  auto tensors = tiny_llama();
  tensors.erase(tensors.begin() + 4);  // q_proj
  write(tensors);
  expect_error(ErrorCode::kNotFound, "'blk.0.attn_q.weight' is missing");
}

TEST_F(HfFolder, ShapeDisagreesWithConfig) {
  auto tensors = tiny_llama();
  tensors[5].shape = {4, 4};  // k_proj with 2 kv heads' rows
  write(tensors);
  expect_error(ErrorCode::kInvalidFile, "'blk.0.attn_k.weight' (from 'model.layers.0.self_attn.k_proj.weight') has ne {4, 4}");
}

TEST_F(HfFolder, UntiedWithoutLmHead) {
  std::string untied = kConfig;
  untied.replace(untied.find("true"), 4, "false");
  write(tiny_llama(), untied);
  expect_error(ErrorCode::kNotFound, "'output.weight' is missing");
}

TEST_F(HfFolder, UnsupportedWeightDtype) {
  auto tensors = tiny_llama();
  tensors[1].dtype = "F8_E4M3";
  tensors[1].element_bytes = 1;
  write(tensors);
  expect_error(ErrorCode::kUnsupported, "dtype F8_E4M3");
}

// Mixtral-style experts in a tiny folder: one slice per expert, any missing one refused.
const std::string kMoeConfig = R"({"model_type": "mixtral", "vocab_size": 8, "hidden_size": 4, "num_hidden_layers": 1,
  "num_attention_heads": 2, "num_key_value_heads": 1, "intermediate_size": 6, "tie_word_embeddings": true,
  "num_local_experts": 2, "num_experts_per_tok": 1})";

std::vector<TensorEntry> tiny_mixtral(uint32_t experts) {
  auto tensors = tiny_llama();
  tensors.resize(8);  // drop the dense FFN
  tensors.push_back({"model.layers.0.block_sparse_moe.gate.weight", "F32", {2, 4}});
  for (uint32_t e = 0; e < experts; ++e) {
    const std::string p = "model.layers.0.block_sparse_moe.experts." + std::to_string(e) + ".";
    tensors.push_back({p + "w1.weight", "BF16", {6, 4}, 2});
    tensors.push_back({p + "w3.weight", "BF16", {6, 4}, 2});
    tensors.push_back({p + "w2.weight", "BF16", {4, 6}, 2});
  }
  return tensors;
}

TEST_F(HfFolder, ExpertsStackWithoutCopies) {
  write(tiny_mixtral(2), kMoeConfig);
  ModelSpec spec = load_hf_weights(dir_.path());
  const TensorData& down = spec.require("blk.0.ffn_down_exps.weight");
  EXPECT_EQ(down.ne, (std::array<uint64_t, 4>{6, 4, 2, 1}));
  ASSERT_EQ(down.slices.size(), 2u);
  EXPECT_EQ(down.bytes, 96u);
  EXPECT_TRUE(down.is_stacked());
}

TEST_F(HfFolder, MissingOrExtraExpert) {
  auto tensors = tiny_mixtral(2);
  tensors.erase(tensors.end() - 2);  // expert 1's w3
  write(tensors, kMoeConfig);
  expect_error(ErrorCode::kNotFound, "expert 1 of 'blk.0.ffn_up_exps.weight' is missing");

  write(tiny_mixtral(3), kMoeConfig);
  expect_error(ErrorCode::kInvalidFile, "expert 2 is beyond the 2 experts");
}

}  // namespace
}  // namespace vkmoe
