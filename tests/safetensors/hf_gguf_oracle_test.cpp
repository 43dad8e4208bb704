// The Hugging Face loader against llama.cpp's own conversion of the same checkpoints
// (shared/goldens/gguf/<arch>-F16.gguf, read by vkmoe's GGUF loader): the same tensor names,
// the same ne, the same values, and the same hyperparameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "loader/base/half.h"
#include "loader/gguf/gguf_model.h"
#include "loader/hf/hf_model.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

std::vector<float> values_of(const TensorData& t) {
  std::vector<uint8_t> bytes;
  for (auto s : t.slices) bytes.insert(bytes.end(), s.begin(), s.end());
  std::vector<float> out;
  auto u16 = [&](size_t i) {
    uint16_t v;
    std::memcpy(&v, bytes.data() + 2 * i, 2);
    return v;
  };
  switch (t.type) {
    case TensorType::kF32:
      out.resize(bytes.size() / 4);
      std::memcpy(out.data(), bytes.data(), bytes.size());
      break;
    case TensorType::kF16:
      for (size_t i = 0; i < bytes.size() / 2; ++i) out.push_back(f16_to_float(u16(i)));
      break;
    case TensorType::kBF16:
      for (size_t i = 0; i < bytes.size() / 2; ++i) out.push_back(bf16_to_float(u16(i)));
      break;
    default: ADD_FAILURE() << t.name << ": unexpected type";
  }
  return out;
}

// llama.cpp's convert_hf_to_gguf.py permutes Llama q/k rows for its adjacent-pair rope:
// weights.reshape(n_head, 2, rows / n_head / 2, cols).swapaxes(1, 2).reshape(rows, cols).
std::vector<float> permute_like_llama_cpp(const std::vector<float>& w, size_t rows, size_t cols, size_t n_head) {
  const size_t half = rows / n_head / 2;
  std::vector<float> out(w.size());
  for (size_t h = 0; h < n_head; ++h) {
    for (size_t i = 0; i < 2; ++i) {
      for (size_t j = 0; j < half; ++j) {
        const size_t from = h * 2 * half + i * half + j, to = h * 2 * half + j * 2 + i;
        std::memcpy(&out[to * cols], &w[from * cols], cols * sizeof(float));
      }
    }
  }
  return out;
}

class HfVersusGguf : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    hf_ = load_hf_weights(test::golden_path("hf/" + GetParam()));
    gguf_ = load_gguf_model_spec(test::golden_path("gguf/" + GetParam() + "-F16.gguf"));
  }
  ModelSpec hf_, gguf_;
};

TEST_P(HfVersusGguf, SameTensorNamesShapesAndValues) {
  std::vector<std::string> hf_names, gguf_names;
  for (const auto& [name, t] : hf_.tensors) hf_names.push_back(name);
  for (const auto& [name, t] : gguf_.tensors) gguf_names.push_back(name);
  ASSERT_EQ(hf_names, gguf_names);

  const bool permuted = GetParam() == "mixtral";
  size_t compared = 0;
  for (const auto& [name, g] : gguf_.tensors) {
    const TensorData& h = hf_.require(name);
    ASSERT_EQ(h.n_dims, g.n_dims) << name;
    ASSERT_EQ(h.ne, g.ne) << name;
    ASSERT_EQ(h.n_elements() * (h.type == TensorType::kF32 ? 4 : 2), h.bytes) << name;
    std::vector<float> want = values_of(g);
    std::vector<float> got = values_of(h);
    ASSERT_EQ(got.size(), want.size()) << name;
    const bool is_q = name.ends_with("attn_q.weight"), is_k = name.ends_with("attn_k.weight");
    if (permuted && (is_q || is_k)) {
      got = permute_like_llama_cpp(got, h.ne[1], h.ne[0], is_q ? hf_.config.n_head : hf_.config.n_head_kv);
    }
    // bf16 → f16 is exact except values that become f16 subnormals (off by at most 3e-8);
    // tensors the GGUF keeps as F32 must match exactly.
    const float tolerance = g.type == TensorType::kF32 ? 0.0f : 3e-8f;
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (!(std::fabs(got[i] - want[i]) <= tolerance)) {
        if (++bad <= 3) ADD_FAILURE() << name << "[" << i << "]: hf " << got[i] << " gguf " << want[i];
      }
    }
    EXPECT_EQ(bad, 0u) << name;
    ++compared;
  }
  EXPECT_GT(compared, 20u);
}

TEST_P(HfVersusGguf, PerExpertTensorsAreZeroCopySlices) {
  const ModelConfig& c = hf_.config;
  for (const auto& [name, t] : hf_.tensors) {
    if (!name.ends_with("_exps.weight") || c.arch == Architecture::kGptOss) continue;  // gpt-oss's are converted
    ASSERT_EQ(t.slices.size(), c.n_expert) << name;
    for (auto s : t.slices) EXPECT_EQ(s.size(), t.ne[0] * t.ne[1] * 2) << name;
  }
}

TEST_P(HfVersusGguf, SameHyperparameters) {
  const ModelConfig& h = hf_.config;
  const ModelConfig& g = gguf_.config;
  EXPECT_EQ(h.arch, g.arch);
  EXPECT_EQ(h.arch_name, g.arch_name);
  EXPECT_EQ(h.n_vocab, g.n_vocab);
  EXPECT_EQ(h.n_embd, g.n_embd);
  EXPECT_EQ(h.n_layer, g.n_layer);
  EXPECT_EQ(h.n_ctx_train, g.n_ctx_train);
  EXPECT_EQ(h.n_head, g.n_head);
  EXPECT_EQ(h.n_head_kv, g.n_head_kv);
  EXPECT_EQ(h.head_dim_k, g.head_dim_k);
  EXPECT_EQ(h.head_dim_v, g.head_dim_v);
  EXPECT_FLOAT_EQ(h.rms_norm_eps, g.rms_norm_eps);
  EXPECT_EQ(h.tie_embeddings, g.tie_embeddings);
  EXPECT_EQ(h.n_ff, g.n_ff);
  EXPECT_EQ(h.n_expert, g.n_expert);
  EXPECT_EQ(h.n_expert_used, g.n_expert_used);
  EXPECT_EQ(h.n_ff_expert, g.n_ff_expert);
  EXPECT_EQ(h.n_expert_shared, g.n_expert_shared);
  EXPECT_EQ(h.n_ff_shared, g.n_ff_shared);
  EXPECT_EQ(h.n_layer_dense_lead, g.n_layer_dense_lead);
  EXPECT_EQ(h.router.gating, g.router.gating);
  EXPECT_EQ(h.router.softmax_after_topk, g.router.softmax_after_topk);
  EXPECT_EQ(h.router.normalize_topk, g.router.normalize_topk);
  EXPECT_FLOAT_EQ(h.router.routed_scaling, g.router.routed_scaling);
  EXPECT_EQ(h.router.n_group, g.router.n_group);
  EXPECT_EQ(h.router.topk_group, g.router.topk_group);
  EXPECT_FLOAT_EQ(h.swiglu_limit, g.swiglu_limit);
  EXPECT_FLOAT_EQ(h.swiglu_alpha, g.swiglu_alpha);
  // Rope: GGUF's llama files hold q/k permuted for adjacent pairs; HF's are not.
  EXPECT_EQ(h.rope.style, GetParam() == "mixtral" ? RopeStyle::kNeox : g.rope.style);
  if (GetParam() == "mixtral") {
    EXPECT_EQ(g.rope.style, RopeStyle::kNormal);
  }
  EXPECT_FLOAT_EQ(h.rope.theta, g.rope.theta);
  EXPECT_EQ(h.rope.n_rot, g.rope.n_rot);
  EXPECT_EQ(h.rope.scaling, g.rope.scaling);
  EXPECT_FLOAT_EQ(h.rope.factor, g.rope.factor);
  if (h.rope.scaling == RopeScalingType::kYarn) {
    EXPECT_EQ(h.rope.original_context, g.rope.original_context);
    EXPECT_FLOAT_EQ(h.rope.yarn_beta_fast, g.rope.yarn_beta_fast);
    EXPECT_FLOAT_EQ(h.rope.yarn_beta_slow, g.rope.yarn_beta_slow);
    EXPECT_FLOAT_EQ(h.rope.yarn_attn_factor, g.rope.yarn_attn_factor);
    EXPECT_EQ(h.rope.yarn_truncate, g.rope.yarn_truncate);
  }
  EXPECT_EQ(h.sliding_window, g.sliding_window);
  EXPECT_EQ(h.layer_uses_sliding_window, g.layer_uses_sliding_window);
  EXPECT_EQ(h.has_attention_sinks, g.has_attention_sinks);
  EXPECT_EQ(h.has_qkv_bias, g.has_qkv_bias);
  EXPECT_EQ(h.qk_norm_per_head, g.qk_norm_per_head);
  EXPECT_EQ(h.qk_norm_full, g.qk_norm_full);
  EXPECT_FLOAT_EQ(h.attention_scale, g.attention_scale);
  EXPECT_EQ(h.q_lora_rank, g.q_lora_rank);
  EXPECT_EQ(h.kv_lora_rank, g.kv_lora_rank);
  EXPECT_EQ(h.qk_nope_head_dim, g.qk_nope_head_dim);
  EXPECT_EQ(h.qk_rope_head_dim, g.qk_rope_head_dim);
  EXPECT_EQ(h.bos_token, g.bos_token);
  // config.json's eos ids; the GGUF loader adds end-of-generation tokens its vocabulary marks
  // (like "<|endoftext|>"), which the HF loader only learns from the tokenizer files.
  ASSERT_FALSE(h.eos_tokens.empty());
  for (uint32_t id : h.eos_tokens) {
    EXPECT_NE(std::find(g.eos_tokens.begin(), g.eos_tokens.end(), id), g.eos_tokens.end()) << id;
  }
}

// The whole folder, tokenizer files included: the vocabulary and chat template that
// llama.cpp's converter copied into the GGUF from the same files. (The GGUF pads the
// vocabulary to the embedding's rows; tokenizer.model has only the real pieces.)
TEST_P(HfVersusGguf, FullSpecCarriesTheTokenizerAndTemplate) {
  ModelSpec full = load_hf_model_spec(test::golden_path("hf/" + GetParam()));
  EXPECT_EQ(full.tensors.size(), hf_.tensors.size());
  ASSERT_FALSE(full.vocab.empty());
  ASSERT_LE(full.vocab.tokens.size(), gguf_.vocab.tokens.size());
  EXPECT_TRUE(std::equal(full.vocab.tokens.begin(), full.vocab.tokens.end(), gguf_.vocab.tokens.begin()));
  EXPECT_FALSE(full.chat_template.empty());
  EXPECT_EQ(full.chat_template, gguf_.chat_template);
  for (uint32_t id : hf_.config.eos_tokens) {
    EXPECT_NE(std::find(full.config.eos_tokens.begin(), full.config.eos_tokens.end(), id), full.config.eos_tokens.end()) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, HfVersusGguf,
                         ::testing::Values("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vkmoe
