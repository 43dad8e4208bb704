// Every stored golden GGUF: its tensor table equals MANIFEST.json's, and the ModelSpec built
// from it agrees with the Hugging Face config.json and tokenizer files of the same model.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loader/gguf/gguf_file.h"
#include "loader/model/model_spec.h"
#include "loader/model/model_stats.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

std::vector<json> stored_entries() {
  json manifest = read_json(test::golden_path("gguf/MANIFEST.json"));
  std::vector<json> out;
  for (const auto& f : manifest.at("files")) {
    if (f.value("stored", false)) out.push_back(f);
  }
  return out;
}

// The first present key of `keys`, or null.
json first_of(const json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (j.contains(k) && !j.at(k).is_null()) return j.at(k);
  }
  return nullptr;
}

TEST(GgufGolden, ManifestCoversEveryArchitecture) {
  std::set<std::string> archs;
  for (const auto& f : stored_entries()) {
    archs.insert(f.at("arch").get<std::string>());
    EXPECT_TRUE(std::filesystem::exists(test::golden_path("gguf/" + f.at("file").get<std::string>())))
        << f.at("file");
  }
  EXPECT_EQ(archs, (std::set<std::string>{"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss"}));
}

TEST(GgufGolden, TensorTablesMatchManifest) {
  for (const auto& entry : stored_entries()) {
    std::string file = entry.at("file");
    SCOPED_TRACE(file);
    GgufFile g = GgufFile::open(test::golden_path("gguf/" + file));
    const json& tensors = entry.at("tensors");
    ASSERT_EQ(g.tensors().size(), tensors.size());
    for (const auto& [name, want] : tensors.items()) {
      const GgufTensorInfo* t = g.find_tensor(name);
      ASSERT_NE(t, nullptr) << name;
      EXPECT_EQ(std::string(tensor_type_info(t->type).name), want.at("type").get<std::string>()) << name;
      std::vector<uint64_t> ne(t->ne.begin(), t->ne.begin() + t->n_dims);
      EXPECT_EQ(ne, want.at("ne").get<std::vector<uint64_t>>()) << name;
    }
    EXPECT_EQ(std::filesystem::file_size(test::golden_path("gguf/" + file)), entry.at("size").get<uint64_t>());
  }
}

void expect_config_matches_hf(const ModelConfig& c, const json& hf, const std::string& arch) {
  EXPECT_EQ(c.n_layer, hf.at("num_hidden_layers").get<uint32_t>());
  EXPECT_EQ(c.n_embd, hf.at("hidden_size").get<uint32_t>());
  EXPECT_EQ(c.n_vocab, hf.at("vocab_size").get<uint32_t>());
  EXPECT_EQ(c.n_head, hf.at("num_attention_heads").get<uint32_t>());
  EXPECT_EQ(c.n_head_kv, hf.at("num_key_value_heads").get<uint32_t>());
  EXPECT_EQ(c.n_ctx_train, hf.at("max_position_embeddings").get<uint32_t>());
  EXPECT_FLOAT_EQ(c.rms_norm_eps, hf.at("rms_norm_eps").get<float>());
  json rope = hf.contains("rope_parameters") ? hf.at("rope_parameters") : hf;
  EXPECT_FLOAT_EQ(c.rope.theta, rope.at("rope_theta").get<float>());
  EXPECT_EQ(c.n_expert, first_of(hf, {"num_local_experts", "num_experts", "n_routed_experts"}).get<uint32_t>());
  EXPECT_EQ(c.n_expert_used, hf.at("num_experts_per_tok").get<uint32_t>());
  EXPECT_EQ(c.n_ff, hf.at("intermediate_size").get<uint32_t>());
  EXPECT_EQ(c.n_ff_expert, first_of(hf, {"moe_intermediate_size", "intermediate_size"}).get<uint32_t>());
  EXPECT_EQ(c.tie_embeddings, hf.at("tie_word_embeddings").get<bool>());
  if (json hd = first_of(hf, {"head_dim"}); !hd.is_null() && arch != "deepseek_v3") {
    EXPECT_EQ(c.head_dim_k, hd.get<uint32_t>());
    EXPECT_EQ(c.head_dim_v, hd.get<uint32_t>());
  }
  if (hf.contains("norm_topk_prob")) {
    EXPECT_EQ(c.router.normalize_topk, hf.at("norm_topk_prob").get<bool>());
  }
  if (json bias = first_of(hf, {"qkv_bias", "attention_bias"}); !bias.is_null()) {
    EXPECT_EQ(c.has_qkv_bias, bias.get<bool>());
  }
  if (json n = first_of(hf, {"shared_expert_intermediate_size"}); !n.is_null()) {
    EXPECT_EQ(c.n_ff_shared, n.get<uint32_t>());
    EXPECT_EQ(c.n_expert_shared, 1u);
  }
  EXPECT_NE(std::find(c.eos_tokens.begin(), c.eos_tokens.end(), hf.at("eos_token_id").get<uint32_t>()),
            c.eos_tokens.end());
  if (!hf.at("bos_token_id").is_null()) {
    EXPECT_EQ(c.bos_token, hf.at("bos_token_id").get<uint32_t>());
  }

  // Facts from goldens/README.md and llama.cpp's rope type table.
  EXPECT_EQ(c.rope.style, arch == "mixtral" || arch == "deepseek_v3" ? RopeStyle::kNormal : RopeStyle::kNeox);
  EXPECT_EQ(c.qk_norm_per_head, arch == "qwen3_moe");
  EXPECT_EQ(c.qk_norm_full, arch == "olmoe");
  if (arch == "mixtral") {
    EXPECT_EQ(c.arch, Architecture::kLlama);
    EXPECT_TRUE(c.router.normalize_topk);  // softmax over top-k
  }
  if (arch == "deepseek_v3") {
    EXPECT_EQ(c.arch, Architecture::kDeepseek2);
    EXPECT_EQ(c.q_lora_rank, hf.at("q_lora_rank").get<uint32_t>());
    EXPECT_EQ(c.kv_lora_rank, hf.at("kv_lora_rank").get<uint32_t>());
    EXPECT_EQ(c.qk_nope_head_dim, hf.at("qk_nope_head_dim").get<uint32_t>());
    EXPECT_EQ(c.qk_rope_head_dim, hf.at("qk_rope_head_dim").get<uint32_t>());
    EXPECT_EQ(c.rope.n_rot, hf.at("qk_rope_head_dim").get<uint32_t>());
    EXPECT_EQ(c.head_dim_k, hf.at("qk_head_dim").get<uint32_t>());
    EXPECT_EQ(c.head_dim_v, hf.at("v_head_dim").get<uint32_t>());
    EXPECT_EQ(c.router.n_group, hf.at("n_group").get<uint32_t>());
    EXPECT_EQ(c.router.topk_group, hf.at("topk_group").get<uint32_t>());
    EXPECT_FLOAT_EQ(c.router.routed_scaling, hf.at("routed_scaling_factor").get<float>());
    EXPECT_EQ(c.n_layer_dense_lead, hf.at("first_k_dense_replace").get<uint32_t>());
    EXPECT_EQ(c.n_expert_shared, hf.at("n_shared_experts").get<uint32_t>());
    EXPECT_EQ(c.n_ff_shared, hf.at("n_shared_experts").get<uint32_t>() * hf.at("moe_intermediate_size").get<uint32_t>());
    EXPECT_EQ(c.router.gating, GatingFunction::kSigmoid);
  } else {
    EXPECT_EQ(c.router.gating, GatingFunction::kSoftmax);
  }
  if (arch == "gpt_oss") {
    EXPECT_EQ(c.arch, Architecture::kGptOss);
    EXPECT_EQ(c.sliding_window, hf.at("sliding_window").get<uint32_t>());
    const auto& types = hf.at("layer_types");
    ASSERT_EQ(c.layer_uses_sliding_window.size(), types.size());
    for (size_t i = 0; i < types.size(); ++i) {
      EXPECT_EQ(c.layer_uses_sliding_window[i], types[i].get<std::string>() == "sliding_attention") << i;
    }
    EXPECT_TRUE(c.has_attention_sinks);
    EXPECT_TRUE(c.router.softmax_after_topk);
    EXPECT_FLOAT_EQ(c.swiglu_limit, 7.0f);
    EXPECT_EQ(c.rope.scaling, RopeScalingType::kYarn);
    EXPECT_FLOAT_EQ(c.rope.factor, rope.at("factor").get<float>());
    EXPECT_FLOAT_EQ(c.rope.yarn_beta_fast, rope.at("beta_fast").get<float>());
    EXPECT_FLOAT_EQ(c.rope.yarn_beta_slow, rope.at("beta_slow").get<float>());
    EXPECT_EQ(c.rope.original_context, rope.at("original_max_position_embeddings").get<uint32_t>());
    EXPECT_EQ(c.rope.yarn_truncate, rope.at("truncate").get<bool>());
  } else {
    EXPECT_EQ(c.rope.scaling, RopeScalingType::kNone);
    EXPECT_TRUE(c.layer_uses_sliding_window.empty());
  }
}

// tokenizer.json's vocabulary and merges, and tokenizer_config.json's chat template.
void expect_vocab_matches_hf(const ModelSpec& spec, const std::string& dir) {
  const TokenizerVocab& v = spec.vocab;
  json tok_config = read_json(dir + "/tokenizer_config.json");
  EXPECT_EQ(spec.chat_template, tok_config.at("chat_template").get<std::string>());
  if (!std::filesystem::exists(dir + "/tokenizer.json")) {  // sentencepiece (mixtral)
    EXPECT_EQ(v.kind, TokenizerKind::kSentencePiece);
    ASSERT_EQ(v.tokens.size(), spec.config.n_vocab);
    EXPECT_EQ(v.tokens[1], "<s>");
    EXPECT_EQ(v.tokens[2], "</s>");
    EXPECT_EQ(v.scores.size(), v.tokens.size());
    EXPECT_TRUE(v.add_bos);
    return;
  }
  EXPECT_EQ(v.kind, TokenizerKind::kBytePairBpe);
  json tj = read_json(dir + "/tokenizer.json");
  for (const auto& [piece, id] : tj.at("model").at("vocab").items()) {
    ASSERT_LT(id.get<size_t>(), v.tokens.size());
    EXPECT_EQ(v.tokens[id.get<size_t>()], piece);
  }
  for (const auto& added : tj.at("added_tokens")) {
    size_t id = added.at("id");
    ASSERT_LT(id, v.tokens.size());
    EXPECT_EQ(v.tokens[id], added.at("content").get<std::string>());
    if (added.at("special").get<bool>()) {
      EXPECT_EQ(v.attrs.at(id), TokenAttr::kControl);
    }
  }
  const auto& merges = tj.at("model").at("merges");
  ASSERT_EQ(v.merges.size(), merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    std::string want = merges[i].is_string() ? merges[i].get<std::string>()
                                             : merges[i][0].get<std::string>() + " " + merges[i][1].get<std::string>();
    EXPECT_EQ(v.merges[i], want) << i;
  }
  EXPECT_FALSE(v.add_bos);
}

TEST(GgufGolden, ConfigAndVocabMatchHuggingFace) {
  for (const auto& entry : stored_entries()) {
    std::string file = entry.at("file");
    std::string arch = entry.at("arch");
    SCOPED_TRACE(file);
    ModelSpec spec = load_model_spec(test::golden_path("gguf/" + file));
    EXPECT_EQ(spec.format, "gguf");
    EXPECT_EQ(spec.config.arch_name, entry.at("gguf_arch").get<std::string>());
    std::string dir = test::golden_path("hf/" + arch);
    expect_config_matches_hf(spec.config, read_json(dir + "/config.json"), arch);
    expect_vocab_matches_hf(spec, dir);
    EXPECT_EQ(spec.metadata_summary.at("general.architecture"), entry.at("gguf_arch").get<std::string>());
    EXPECT_EQ(spec.metadata_summary.at("tokenizer.ggml.tokens"), "[1024 items]");
  }
}

TEST(GgufGolden, TensorDataSlicesExperts) {
  for (const auto& entry : stored_entries()) {
    std::string file = entry.at("file");
    SCOPED_TRACE(file);
    ModelSpec spec = load_model_spec(test::golden_path("gguf/" + file));
    const json& tensors = entry.at("tensors");
    ASSERT_EQ(spec.tensors.size(), tensors.size());
    for (const auto& [name, t] : spec.tensors) {
      bool expert = name.find("_exps.") != std::string::npos;
      ASSERT_EQ(t.slices.size(), expert ? spec.config.n_expert : 1u) << name;
      uint64_t sum = 0;
      for (size_t i = 0; i < t.slices.size(); ++i) {
        sum += t.slices[i].size();
        if (i > 0) {
          EXPECT_EQ(t.slices[i].data(), t.slices[i - 1].data() + t.slices[i - 1].size()) << name;
        }
      }
      EXPECT_EQ(sum, t.bytes) << name;
    }
  }
}

// Parameter counts from MANIFEST.json's shapes; bytes from the F16 / F32 element sizes.
TEST(GgufGolden, StatsMatchManifest) {
  for (const auto& entry : stored_entries()) {
    if (entry.at("type") != "F16") continue;
    std::string file = entry.at("file");
    SCOPED_TRACE(file);
    json hf = read_json(test::golden_path("hf/" + entry.at("arch").get<std::string>() + "/config.json"));
    uint64_t k = hf.at("num_experts_per_tok"), n = first_of(hf, {"num_local_experts", "num_experts", "n_routed_experts"});
    uint64_t total = 0, active = 0, expert_bytes = 0, bytes = 0;
    for (const auto& [name, t] : entry.at("tensors").items()) {
      uint64_t elems = 1;
      for (uint64_t d : t.at("ne")) elems *= d;
      uint64_t b = elems * (t.at("type") == "F16" ? 2 : 4);
      total += elems;
      bytes += b;
      bool expert = name.find("_exps.") != std::string::npos;
      active += expert ? elems / n * k : elems;
      if (expert) expert_bytes += b;
    }
    ModelStats s = compute_model_stats(load_model_spec(test::golden_path("gguf/" + file)));
    EXPECT_EQ(s.total_params, total);
    EXPECT_EQ(s.active_params, active);
    EXPECT_LT(s.active_params, s.total_params);
    EXPECT_EQ(s.expert_bytes, expert_bytes);
    EXPECT_EQ(s.full_load_bytes, bytes);
    EXPECT_EQ(s.dense_bytes + s.expert_bytes, bytes);
    EXPECT_EQ(s.by_type.at(TensorType::kF32).tensors, entry.at("tensor_type_counts").at("F32").get<uint32_t>());
    EXPECT_EQ(s.by_type.at(TensorType::kF16).tensors, entry.at("tensor_type_counts").at("F16").get<uint32_t>());
  }
}

}  // namespace
}  // namespace vkmoe
