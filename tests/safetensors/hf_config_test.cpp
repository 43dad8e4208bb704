// config.json → ModelConfig: the golden folders against the values their config.json states,
// and hand-written configs for the conventions the goldens do not use (older rope_scaling,
// DeepSeek YaRN, defaults that differ between model types).
#include "loader/hf/hf_config.h"

#include <gtest/gtest.h>

#include <cmath>

#include "loader/base/error.h"
#include "tests/safetensors/safetensors_bytes.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

TEST(HfConfigGoldens, Mixtral) {
  ModelConfig c = read_hf_config(test::golden_path("hf/mixtral"));
  EXPECT_EQ(c.arch, Architecture::kLlama);
  EXPECT_EQ(c.arch_name, "llama");
  EXPECT_EQ(c.name, "mixtral");
  EXPECT_EQ(c.n_vocab, 1024u);
  EXPECT_EQ(c.n_embd, 256u);
  EXPECT_EQ(c.n_layer, 2u);
  EXPECT_EQ(c.n_head, 4u);
  EXPECT_EQ(c.n_head_kv, 2u);
  EXPECT_EQ(c.head_dim_k, 64u);  // "head_dim": null → hidden / heads
  EXPECT_EQ(c.n_expert, 8u);
  EXPECT_EQ(c.n_expert_used, 2u);
  EXPECT_EQ(c.n_ff_expert, 256u);
  EXPECT_TRUE(c.router.normalize_topk);
  EXPECT_EQ(c.rope.style, RopeStyle::kNeox);
  EXPECT_FLOAT_EQ(c.rope.theta, 1e6f);
  EXPECT_EQ(c.rope.n_rot, 64u);
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kNone);
  EXPECT_EQ(c.sliding_window, 0u);  // "sliding_window": null
  EXPECT_EQ(c.bos_token, 1u);
  EXPECT_EQ(c.eos_tokens, std::vector<uint32_t>{2});
  EXPECT_FLOAT_EQ(c.rms_norm_eps, 1e-5f);
}

TEST(HfConfigGoldens, Qwen2MoeSharedExpert) {
  ModelConfig c = read_hf_config(test::golden_path("hf/qwen2_moe"));
  EXPECT_EQ(c.arch, Architecture::kQwen2Moe);
  EXPECT_EQ(c.n_ff_expert, 256u);
  EXPECT_EQ(c.n_expert_shared, 1u);
  EXPECT_EQ(c.n_ff_shared, 512u);
  EXPECT_FALSE(c.router.normalize_topk);
  EXPECT_EQ(c.bos_token, UINT32_MAX);  // "bos_token_id": null
}

TEST(HfConfigGoldens, Qwen3MoeAndOlmoeQkNorm) {
  ModelConfig q = read_hf_config(test::golden_path("hf/qwen3_moe"));
  EXPECT_EQ(q.n_expert, 16u);  // written as num_local_experts
  EXPECT_TRUE(q.qk_norm_per_head);
  EXPECT_FALSE(q.qk_norm_full);
  EXPECT_TRUE(q.router.normalize_topk);
  ModelConfig o = read_hf_config(test::golden_path("hf/olmoe"));
  EXPECT_EQ(o.n_expert, 16u);  // written as num_experts
  EXPECT_TRUE(o.qk_norm_full);
  EXPECT_FALSE(o.router.normalize_topk);
}

TEST(HfConfigGoldens, DeepseekV3) {
  ModelConfig c = read_hf_config(test::golden_path("hf/deepseek_v3"));
  EXPECT_EQ(c.arch, Architecture::kDeepseek2);
  EXPECT_EQ(c.router.gating, GatingFunction::kSigmoid);  // no scoring_func: V3 means sigmoid
  EXPECT_TRUE(c.router.normalize_topk);
  EXPECT_FLOAT_EQ(c.router.routed_scaling, 2.5f);
  EXPECT_EQ(c.router.n_group, 4u);
  EXPECT_EQ(c.router.topk_group, 2u);
  EXPECT_EQ(c.n_layer_dense_lead, 1u);
  EXPECT_EQ(c.n_ff, 512u);
  EXPECT_EQ(c.n_ff_expert, 256u);
  EXPECT_EQ(c.n_expert_shared, 1u);
  EXPECT_EQ(c.q_lora_rank, 128u);
  EXPECT_EQ(c.kv_lora_rank, 64u);
  EXPECT_EQ(c.qk_nope_head_dim, 64u);
  EXPECT_EQ(c.qk_rope_head_dim, 32u);
  EXPECT_EQ(c.head_dim_k, 96u);
  EXPECT_EQ(c.head_dim_v, 64u);
  EXPECT_EQ(c.rope.n_rot, 32u);
  EXPECT_EQ(c.rope.style, RopeStyle::kNormal);  // rope_interleave: true
  EXPECT_EQ(c.attention_scale, 0.0f);
}

TEST(HfConfigGoldens, GptOss) {
  ModelConfig c = read_hf_config(test::golden_path("hf/gpt_oss"));
  EXPECT_EQ(c.arch, Architecture::kGptOss);
  EXPECT_EQ(c.layer_uses_sliding_window, (std::vector<bool>{true, false}));
  EXPECT_EQ(c.sliding_window, 8u);
  EXPECT_TRUE(c.has_attention_sinks);
  EXPECT_FLOAT_EQ(c.swiglu_limit, 7.0f);
  EXPECT_TRUE(c.router.softmax_after_topk);
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kYarn);
  EXPECT_FLOAT_EQ(c.rope.factor, 32.0f);
  EXPECT_EQ(c.rope.original_context, 4096u);
  EXPECT_FALSE(c.rope.yarn_truncate);
  EXPECT_FLOAT_EQ(c.rope.yarn_attn_factor, 1.0f);
  EXPECT_FLOAT_EQ(c.rope.theta, 150000.0f);
  EXPECT_EQ(c.rope.style, RopeStyle::kNeox);
}

// A folder holding only the given config.json (and generation_config.json when non-empty).
class HfConfigText : public ::testing::Test {
 protected:
  ModelConfig read(const std::string& config, const std::string& generation = "") {
    test::write_file(dir_.file("config.json"), config);
    if (!generation.empty()) test::write_file(dir_.file("generation_config.json"), generation);
    return read_hf_config(dir_.path());
  }
  void expect_error(const std::string& config, ErrorCode code, const std::string& needle) {
    try {
      read(config);
      ADD_FAILURE() << "no error; expected one mentioning " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
  test::ScratchDir dir_;
};

const std::string kLlamaBody =
    R"("vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,)"
    R"("intermediate_size": 128, "max_position_embeddings": 2048)";

TEST_F(HfConfigText, OlderTopLevelRopeThetaAndLinearScaling) {
  ModelConfig c = read(R"({"model_type": "llama", )" + kLlamaBody +
                       R"(, "rope_theta": 500000.0, "rope_scaling": {"type": "linear", "factor": 4.0}, "eos_token_id": [5, 6]})");
  EXPECT_FLOAT_EQ(c.rope.theta, 500000.0f);
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kLinear);
  EXPECT_FLOAT_EQ(c.rope.factor, 4.0f);
  EXPECT_EQ(c.eos_tokens, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(c.n_expert, 0u);
  EXPECT_EQ(c.n_ff, 128u);
  EXPECT_EQ(c.rope.style, RopeStyle::kNeox);
}

TEST_F(HfConfigText, DefaultsWithoutRopeKeysAndGenerationConfigWins) {
  ModelConfig c = read(R"({"model_type": "qwen3", )" + kLlamaBody + R"(, "head_dim": 32, "eos_token_id": 5, "bos_token_id": 4})",
                       R"({"eos_token_id": [7, 8], "bos_token_id": 3})");
  EXPECT_FLOAT_EQ(c.rope.theta, 10000.0f);
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kNone);
  EXPECT_EQ(c.head_dim_k, 32u);
  EXPECT_TRUE(c.qk_norm_per_head);
  EXPECT_EQ(c.eos_tokens, (std::vector<uint32_t>{7, 8}));
  EXPECT_EQ(c.bos_token, 3u);
}

// DeepSeek-V3's published YaRN: rope_scaling {factor 40, mscale 1, mscale_all_dim 1}.
// transformers: cos/sin scaled by mscale(40, 1) / mscale(40, 1) = 1, softmax scale
// qk_head_dim^-0.5 · mscale(40, 1)^2, where mscale(s, m) = 0.1 m ln s + 1.
TEST_F(HfConfigText, DeepseekYarnOlderConvention) {
  ModelConfig c = read(
      R"({"model_type": "deepseek_v3", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,)"
      R"("intermediate_size": 128, "moe_intermediate_size": 32, "n_routed_experts": 8, "num_experts_per_tok": 2,)"
      R"("n_shared_experts": 1, "first_k_dense_replace": 1, "n_group": 4, "topk_group": 2, "q_lora_rank": null,)"
      R"("kv_lora_rank": 16, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16, "max_position_embeddings": 163840,)"
      R"("rope_theta": 10000, "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,)"
      R"("beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}})");
  const double m = 0.1 * std::log(40.0) + 1.0;
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kYarn);
  EXPECT_EQ(c.rope.original_context, 4096u);
  EXPECT_NEAR(c.rope.yarn_attn_factor * m, 1.0, 1e-6);  // the kernel's own mscale(40, 1) cancels
  EXPECT_NEAR(c.attention_scale, m * m / std::sqrt(24.0), 1e-6);
  EXPECT_EQ(c.q_lora_rank, 0u);
  EXPECT_EQ(c.n_head_kv, 4u);
  EXPECT_EQ(c.router.gating, GatingFunction::kSigmoid);
}

TEST_F(HfConfigText, DeepseekV2DefaultsToSoftmaxAndPlainTopK) {
  ModelConfig c = read(
      R"({"model_type": "deepseek_v2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,)"
      R"("intermediate_size": 128, "moe_intermediate_size": 32, "n_routed_experts": 8, "num_experts_per_tok": 2,)"
      R"("topk_method": "greedy", "n_group": 4, "topk_group": 2, "kv_lora_rank": 16, "qk_nope_head_dim": 16,)"
      R"("qk_rope_head_dim": 8, "v_head_dim": 16, "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"}})");
  EXPECT_EQ(c.router.gating, GatingFunction::kSoftmax);
  EXPECT_FALSE(c.router.normalize_topk);
  EXPECT_EQ(c.router.n_group, 0u);
  EXPECT_EQ(c.rope.style, RopeStyle::kNormal);
}

TEST_F(HfConfigText, NewerRopeParametersYarnWithAttentionFactor) {
  ModelConfig c = read(R"({"model_type": "qwen2", )" + kLlamaBody +
                       R"(, "rope_parameters": {"rope_theta": 1e6, "rope_type": "yarn", "factor": 4.0, "attention_factor": 1.5}})");
  EXPECT_EQ(c.rope.scaling, RopeScalingType::kYarn);
  EXPECT_EQ(c.rope.original_context, 2048u);  // max_position_embeddings when not given
  EXPECT_TRUE(c.rope.yarn_truncate);
  EXPECT_NEAR(c.rope.yarn_attn_factor * (0.1 * std::log(4.0) + 1.0), 1.5, 1e-6);
}

TEST_F(HfConfigText, Rejections) {
  expect_error(R"({"model_type": "bert", )" + kLlamaBody + "}", ErrorCode::kUnsupported, "model_type 'bert'");
  expect_error(R"({"model_type": "llama", "vocab_size": 100})", ErrorCode::kInvalidFile, "'hidden_size': missing");
  expect_error(R"({"model_type": "llama", )" + kLlamaBody + R"(, "rope_scaling": {"rope_type": "longrope", "factor": 2}})",
               ErrorCode::kUnsupported, "longrope");
  expect_error(R"({"model_type": "llama", )" + kLlamaBody + R"(, "rope_scaling": {"rope_type": "yarn"}})", ErrorCode::kInvalidFile,
               "'factor'");
  expect_error(R"({"model_type": "llama", "vocab_size": 100, "hidden_size": -64})", ErrorCode::kInvalidFile, "'hidden_size'");
  expect_error(R"({"model_type": "llama", )" + kLlamaBody + R"(, "eos_token_id": 100})", ErrorCode::kInvalidFile, "eos_token_id");
  expect_error(R"({"model_type": "llama", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,)"
               R"("num_attention_heads": 4, "num_key_value_heads": 3})",
               ErrorCode::kInvalidFile, "num_key_value_heads");
  expect_error(R"({"model_type": "mixtral", )" + kLlamaBody + R"(, "num_local_experts": 2, "num_experts_per_tok": 3})",
               ErrorCode::kInvalidFile, "num_experts_per_tok");
  expect_error("[1, 2]", ErrorCode::kInvalidFile, "expected a JSON object");
  expect_error("{not json", ErrorCode::kInvalidFile, "not valid JSON");
}

TEST(HfConfig, MissingConfigIsNotFound) {
  test::ScratchDir dir;
  try {
    read_hf_config(dir.path());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace vkmoe
