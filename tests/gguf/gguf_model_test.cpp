// GGUF → ModelSpec on small writer-made models: hyperparameters, expert slices, tokenizer
// fields, and the errors for metadata that disagrees with the tensors.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "loader/gguf/gguf_model.h"
#include "loader/gguf/gguf_writer.h"
#include "loader/model/model_stats.h"
#include "tests/gguf/gguf_test_util.h"

namespace vkmoe {
namespace {

using test::expect_error;
using test::TempDir;

using Shapes = std::map<std::string, std::vector<uint64_t>>;

// A one-layer MoE: n_embd 64, 2 heads of 32 (1 kv head), 4 experts of width 32, vocab 8.
Shapes moe_shapes() {
  return {
      {"token_embd.weight", {64, 8}},
      {"output_norm.weight", {64}},
      {"blk.0.attn_norm.weight", {64}},
      {"blk.0.attn_q.weight", {64, 64}},
      {"blk.0.attn_k.weight", {64, 32}},
      {"blk.0.attn_v.weight", {64, 32}},
      {"blk.0.attn_output.weight", {64, 64}},
      {"blk.0.attn_q_norm.weight", {32}},
      {"blk.0.attn_k_norm.weight", {32}},
      {"blk.0.ffn_norm.weight", {64}},
      {"blk.0.ffn_gate_inp.weight", {64, 4}},
      {"blk.0.ffn_gate_exps.weight", {64, 32, 4}},
      {"blk.0.ffn_up_exps.weight", {64, 32, 4}},
      {"blk.0.ffn_down_exps.weight", {32, 64, 4}},
  };
}

void moe_keys(GgufWriter& w, const std::string& arch) {
  w.add_string("general.architecture", arch);
  w.add_string("general.name", "tiny");
  w.add_u32(arch + ".block_count", 1);
  w.add_u32(arch + ".context_length", 256);
  w.add_u32(arch + ".embedding_length", 64);
  w.add_u32(arch + ".feed_forward_length", 128);
  w.add_u32(arch + ".expert_feed_forward_length", 32);
  w.add_u32(arch + ".attention.head_count", 2);
  w.add_u32(arch + ".attention.head_count_kv", 1);
  w.add_u32(arch + ".attention.key_length", 32);
  w.add_u32(arch + ".attention.value_length", 32);
  w.add_f32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f);
  w.add_f32(arch + ".rope.freq_base", 5000.0f);
  w.add_u32(arch + ".expert_count", 4);
  w.add_u32(arch + ".expert_used_count", 2);
}

void tokenizer_keys(GgufWriter& w) {
  std::vector<std::string> tokens = {"<|endoftext|>", "a", "b", "ab", "<|im_end|>", "c", "d", "e"};
  std::vector<std::string> merges = {"a b"};
  std::vector<int32_t> types = {3, 1, 1, 1, 3, 1, 1, 1};
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", "qwen2");
  w.add_array("tokenizer.ggml.tokens", GgufArrayValue::of_strings(tokens));
  w.add_array("tokenizer.ggml.merges", GgufArrayValue::of_strings(merges));
  w.add_array("tokenizer.ggml.token_type", GgufArrayValue::of<int32_t>(GgufType::kI32, types));
  w.add_u32("tokenizer.ggml.eos_token_id", 0);
  w.add_string("tokenizer.chat_template", "{{ messages }}");
}

// Writes F32 tensors; expert e of a stacked tensor is filled with byte e + 1, others with 0x7f.
void write_model(const std::string& path, const std::string& arch, const Shapes& shapes,
                 const std::function<void(GgufWriter&)>& extra = {}) {
  GgufWriter w(path);
  moe_keys(w, arch);
  tokenizer_keys(w);
  if (extra) extra(w);
  std::vector<std::pair<std::string, uint64_t>> order;
  for (const auto& [name, ne] : shapes) order.emplace_back(name, w.add_tensor(name, TensorType::kF32, ne));
  for (const auto& [name, bytes] : order) {
    const auto& ne = shapes.at(name);
    bool stacked = name.find("_exps.") != std::string::npos;
    uint64_t parts = stacked ? ne.back() : 1;
    for (uint64_t e = 0; e < parts; ++e) {
      std::vector<uint8_t> data(bytes / parts, stacked ? static_cast<uint8_t>(e + 1) : 0x7f);
      w.write_data(data);
    }
  }
  w.finish();
}

TEST(GgufModel, LoadsAMoeModel) {
  TempDir dir;
  write_model(dir.file("m.gguf"), "qwen3moe", moe_shapes());
  ModelSpec spec = load_gguf_model_spec(dir.file("m.gguf"));
  const ModelConfig& c = spec.config;
  EXPECT_EQ(c.arch, Architecture::kQwen3Moe);
  EXPECT_EQ(c.name, "tiny");
  EXPECT_EQ(c.n_vocab, 8u);
  EXPECT_EQ(c.n_embd, 64u);
  EXPECT_EQ(c.n_layer, 1u);
  EXPECT_EQ(c.n_ctx_train, 256u);
  EXPECT_EQ(c.n_head, 2u);
  EXPECT_EQ(c.n_head_kv, 1u);
  EXPECT_EQ(c.head_dim_k, 32u);
  EXPECT_EQ(c.n_ff, 128u);
  EXPECT_EQ(c.n_ff_expert, 32u);
  EXPECT_EQ(c.n_expert, 4u);
  EXPECT_EQ(c.n_expert_used, 2u);
  EXPECT_FLOAT_EQ(c.rms_norm_eps, 1e-6f);
  EXPECT_FLOAT_EQ(c.rope.theta, 5000.0f);
  EXPECT_EQ(c.rope.n_rot, 32u);
  EXPECT_EQ(c.rope.style, RopeStyle::kNeox);
  EXPECT_TRUE(c.qk_norm_per_head);
  EXPECT_FALSE(c.qk_norm_full);
  EXPECT_FALSE(c.has_qkv_bias);
  EXPECT_TRUE(c.tie_embeddings);
  EXPECT_TRUE(c.router.normalize_topk);
  EXPECT_EQ(c.router.gating, GatingFunction::kSoftmax);
  EXPECT_EQ(c.eos_tokens, (std::vector<uint32_t>{0, 4}));  // eos, then <|im_end|> by text

  const TensorData& up = spec.require("blk.0.ffn_up_exps.weight");
  ASSERT_EQ(up.slices.size(), 4u);
  for (size_t e = 0; e < 4; ++e) {
    ASSERT_EQ(up.slices[e].size(), 64u * 32 * 4);
    EXPECT_EQ(up.slices[e].front(), e + 1);
    EXPECT_EQ(up.slices[e].back(), e + 1);
  }
  EXPECT_EQ(spec.require("blk.0.attn_q.weight").slices.size(), 1u);

  EXPECT_EQ(spec.vocab.kind, TokenizerKind::kBytePairBpe);
  EXPECT_EQ(spec.vocab.pre, "qwen2");
  EXPECT_EQ(spec.vocab.merges, (std::vector<std::string>{"a b"}));
  EXPECT_EQ(spec.vocab.attrs[4], TokenAttr::kControl);
  EXPECT_EQ(spec.chat_template, "{{ messages }}");
  EXPECT_EQ(spec.metadata_summary.at("qwen3moe.expert_count"), "4");
  EXPECT_EQ(spec.metadata_summary.at("tokenizer.ggml.tokens"), "[8 items]");

  // Dense: 64*8 embd + 3 norms of 64 + 64*64*2 (q, o) + 64*32*2 (k, v) + 2 q/k norms of 32
  // + 64*4 router = 13312; experts: 3 tensors of 64*32*4 = 8192.
  ModelStats s = compute_model_stats(spec);
  EXPECT_EQ(s.total_params, 13312u + 3 * 8192);
  EXPECT_EQ(s.active_params, 13312u + 3 * 8192 / 2);
  EXPECT_EQ(s.expert_bytes, 3u * 8192 * 4);
  EXPECT_EQ(s.full_load_bytes, (13312u + 3 * 8192) * 4);
}

TEST(GgufModel, OlmoeStyleNormIsFull) {
  TempDir dir;
  Shapes shapes = moe_shapes();
  shapes["blk.0.attn_q_norm.weight"] = {64};
  shapes["blk.0.attn_k_norm.weight"] = {32};
  write_model(dir.file("m.gguf"), "olmoe", shapes);
  ModelSpec spec = load_gguf_model_spec(dir.file("m.gguf"));
  EXPECT_TRUE(spec.config.qk_norm_full);
  EXPECT_FALSE(spec.config.qk_norm_per_head);
  EXPECT_FALSE(spec.config.router.normalize_topk);
}

TEST(GgufModel, DenseLlamaUsesNormalRope) {
  TempDir dir;
  Shapes shapes = moe_shapes();
  for (const char* n : {"blk.0.ffn_gate_inp.weight", "blk.0.ffn_gate_exps.weight", "blk.0.ffn_up_exps.weight",
                        "blk.0.ffn_down_exps.weight", "blk.0.attn_q_norm.weight", "blk.0.attn_k_norm.weight"}) {
    shapes.erase(n);
  }
  shapes["blk.0.ffn_gate.weight"] = {64, 128};
  shapes["blk.0.ffn_up.weight"] = {64, 128};
  shapes["blk.0.ffn_down.weight"] = {128, 64};
  shapes["output.weight"] = {64, 8};
  {
    GgufWriter w(dir.file("d.gguf"));
    w.add_string("general.architecture", "llama");
    w.add_u32("llama.block_count", 1);
    w.add_u32("llama.embedding_length", 64);
    w.add_u32("llama.feed_forward_length", 128);
    w.add_u32("llama.attention.head_count", 2);
    w.add_u32("llama.attention.head_count_kv", 1);
    uint64_t total = 0;
    for (const auto& [name, ne] : shapes) total += w.add_tensor(name, TensorType::kF32, ne);
    std::vector<uint8_t> zeros(4096);
    for (uint64_t left = total; left > 0;) {
      size_t n = left < zeros.size() ? static_cast<size_t>(left) : zeros.size();
      w.write_data(std::span(zeros).first(n));
      left -= n;
    }
    w.finish();
  }
  ModelSpec spec = load_gguf_model_spec(dir.file("d.gguf"));
  EXPECT_EQ(spec.config.arch, Architecture::kLlama);
  EXPECT_EQ(spec.config.rope.style, RopeStyle::kNormal);
  EXPECT_EQ(spec.config.n_expert, 0u);
  EXPECT_FALSE(spec.config.tie_embeddings);
  EXPECT_TRUE(spec.vocab.empty());
  ModelStats s = compute_model_stats(spec);
  EXPECT_EQ(s.active_params, s.total_params);
  EXPECT_EQ(s.expert_bytes, 0u);
}

TEST(GgufModel, ShapeMismatchNamesTheTensor) {
  TempDir dir;
  Shapes shapes = moe_shapes();
  shapes["blk.0.attn_k.weight"] = {64, 48};
  write_model(dir.file("m.gguf"), "qwen3moe", shapes);
  expect_error([&] { load_gguf_model_spec(dir.file("m.gguf")); }, ErrorCode::kInvalidFile,
               "tensor 'blk.0.attn_k.weight' has shape {64, 48}, the hyperparameters give {64, 32}");
}

TEST(GgufModel, ExpertStackMustMatchExpertCount) {
  TempDir dir;
  Shapes shapes = moe_shapes();
  shapes["blk.0.ffn_up_exps.weight"] = {64, 32, 3};
  write_model(dir.file("m.gguf"), "qwen3moe", shapes);
  expect_error([&] { load_gguf_model_spec(dir.file("m.gguf")); }, ErrorCode::kInvalidFile, "ffn_up_exps.weight");
}

TEST(GgufModel, LayerBeyondBlockCount) {
  TempDir dir;
  Shapes shapes = moe_shapes();
  shapes["blk.5.attn_norm.weight"] = {64};
  write_model(dir.file("m.gguf"), "qwen3moe", shapes);
  expect_error([&] { load_gguf_model_spec(dir.file("m.gguf")); }, ErrorCode::kInvalidFile,
               "'blk.5.attn_norm.weight' names layer 5 but block_count is 1");
}

TEST(GgufModel, RejectsUnsupportedSettings) {
  TempDir dir;
  write_model(dir.file("a.gguf"), "mamba", moe_shapes());
  expect_error([&] { load_gguf_model_spec(dir.file("a.gguf")); }, ErrorCode::kUnsupported, "architecture 'mamba'");
  write_model(dir.file("g.gguf"), "deepseek2", moe_shapes(),
              [](GgufWriter& w) { w.add_u32("deepseek2.expert_gating_func", 3); });
  expect_error([&] { load_gguf_model_spec(dir.file("g.gguf")); }, ErrorCode::kUnsupported, "expert_gating_func = 3");
  write_model(dir.file("r.gguf"), "qwen3moe", moe_shapes(),
              [](GgufWriter& w) { w.add_string("qwen3moe.rope.scaling.type", "longrope"); });
  expect_error([&] { load_gguf_model_spec(dir.file("r.gguf")); }, ErrorCode::kUnsupported, "rope scaling 'longrope'");
}

TEST(GgufModel, RejectsInconsistentMetadata) {
  TempDir dir;
  write_model(dir.file("k.gguf"), "qwen3moe", moe_shapes(),
              [](GgufWriter& w) { w.add_u32("qwen3moe.expert_used_count", 9); });
  expect_error([&] { load_gguf_model_spec(dir.file("k.gguf")); }, ErrorCode::kInvalidFile, "duplicate metadata key");
  write_model(dir.file("t.gguf"), "qwen3moe", moe_shapes(),
              [](GgufWriter& w) { w.add_u32("tokenizer.ggml.bos_token_id", 99); });
  expect_error([&] { load_gguf_model_spec(dir.file("t.gguf")); }, ErrorCode::kInvalidFile,
               "tokenizer.ggml.bos_token_id = 99 is outside the 8-token vocabulary");
  write_model(dir.file("v.gguf"), "qwen3moe", moe_shapes(),
              [](GgufWriter& w) { w.add_u32("qwen3moe.vocab_size", 9); });
  expect_error([&] { load_gguf_model_spec(dir.file("v.gguf")); }, ErrorCode::kInvalidFile, "vocab_size = 9");
  Shapes no_embd = moe_shapes();
  no_embd.erase("token_embd.weight");
  write_model(dir.file("e.gguf"), "qwen3moe", no_embd);
  expect_error([&] { load_gguf_model_spec(dir.file("e.gguf")); }, ErrorCode::kNotFound, "token_embd.weight");
}

}  // namespace
}  // namespace vkmoe
