// vkmoe-synth's files against the published configurations (the Hugging Face config.json of
// each model, copied here by hand, independent of the synth's own table) and llama.cpp's
// Q4_K_M rule worked out by hand per tensor (src/llama-quant.cpp, llama_tensor_get_type).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "apps/vkmoe-synth/synth_cli.h"
#include "apps/vkmoe-synth/synth_writer.h"
#include "loader/base/error.h"
#include "loader/model/model_spec.h"
#include "loader/tokenizer/tokenizer.h"

namespace vkmoe {
namespace {

struct Published {
  const char* shape;
  uint32_t vocab, embd, layers, ctx, heads, kv_heads, head_k, head_v, ff, experts, used, ff_expert, shared, ff_shared;
  float theta, eps;
  uint32_t sliding_window, kv_lora;
  float yarn_factor;
};

// huggingface.co/<org>/<model>/blob/main/config.json. DeepSeek-V2-Lite's MLA heads count as
// 16 kv heads after decompression; its two shared experts are 2 x 1408 wide.
constexpr Published kPublished[] = {
    {"mixtral-8x7b", 32000, 4096, 32, 32768, 32, 8, 128, 128, 14336, 8, 2, 14336, 0, 0, 1e6f, 1e-5f, 0, 0, 0.0f},
    {"mixtral-8x22b", 32000, 6144, 56, 65536, 48, 8, 128, 128, 16384, 8, 2, 16384, 0, 0, 1e6f, 1e-5f, 0, 0, 0.0f},
    {"qwen3-30b-a3b", 151936, 2048, 48, 40960, 32, 4, 128, 128, 6144, 128, 8, 768, 0, 0, 1e6f, 1e-6f, 0, 0, 0.0f},
    {"qwen3-235b-a22b", 151936, 4096, 94, 40960, 64, 4, 128, 128, 12288, 128, 8, 1536, 0, 0, 1e6f, 1e-6f, 0, 0, 0.0f},
    {"olmoe-1b-7b", 50304, 2048, 16, 4096, 16, 16, 128, 128, 1024, 64, 8, 1024, 0, 0, 1e4f, 1e-5f, 0, 0, 0.0f},
    {"deepseek-v2-lite", 102400, 2048, 27, 163840, 16, 16, 192, 128, 10944, 64, 6, 1408, 2, 2816, 1e4f, 1e-6f, 0, 512,
     40.0f},
    {"gpt-oss-20b", 201088, 2880, 24, 131072, 64, 8, 64, 64, 2880, 32, 4, 2880, 0, 0, 150000.0f, 1e-5f, 128, 0, 32.0f},
    {"gpt-oss-120b", 201088, 2880, 36, 131072, 64, 8, 64, 64, 2880, 128, 4, 2880, 0, 0, 150000.0f, 1e-5f, 128, 0, 32.0f},
};

const Published& published(const std::string& shape) {
  for (const auto& p : kPublished) {
    if (shape == p.shape) return p;
  }
  throw std::runtime_error("no published config for " + shape);
}

std::string temp_path(const std::string& stem) {
  return (std::filesystem::temp_directory_path() / ("vkmoe_synth_" + stem + "_" + std::to_string(::getpid()) + ".gguf"))
      .string();
}

// Writes a file through the command-line parser and removes it when the test ends.
class SynthFile {
 public:
  SynthFile(const std::string& shape, const std::string& type, int layers, int seed = 1)
      : path_(temp_path(shape + "_" + type)) {
    std::vector<std::string> argv = {"--shape", shape, "--type", type, "--out", path_, "--seed", std::to_string(seed)};
    if (layers > 0) argv.insert(argv.end(), {"--layers", std::to_string(layers)});
    synth::SynthOptions options = synth::parse_synth_options(argv);
    options.progress = false;
    synth::write_synthetic_model(options);
  }
  ~SynthFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void expect_published_config(const ModelConfig& c, const Published& p, uint32_t layers) {
  EXPECT_EQ(c.n_layer, layers);
  EXPECT_EQ(c.n_vocab, p.vocab);
  EXPECT_EQ(c.n_embd, p.embd);
  EXPECT_EQ(c.n_ctx_train, p.ctx);
  EXPECT_EQ(c.n_head, p.heads);
  EXPECT_EQ(c.n_head_kv, p.kv_heads);
  EXPECT_EQ(c.head_dim_k, p.head_k);
  EXPECT_EQ(c.head_dim_v, p.head_v);
  EXPECT_EQ(c.n_ff, p.ff);
  EXPECT_EQ(c.n_expert, p.experts);
  EXPECT_EQ(c.n_expert_used, p.used);
  EXPECT_EQ(c.n_ff_expert, p.ff_expert);
  EXPECT_EQ(c.n_expert_shared, p.shared);
  EXPECT_EQ(c.n_ff_shared, p.ff_shared);
  EXPECT_FLOAT_EQ(c.rope.theta, p.theta);
  EXPECT_FLOAT_EQ(c.rms_norm_eps, p.eps);
  EXPECT_EQ(c.sliding_window, p.sliding_window);
  EXPECT_EQ(c.kv_lora_rank, p.kv_lora);
  EXPECT_FLOAT_EQ(c.rope.factor, p.yarn_factor == 0.0f ? 1.0f : p.yarn_factor);
  EXPECT_FALSE(c.tie_embeddings);
  EXPECT_FALSE(c.eos_tokens.empty());
}

using TypeTable = std::map<std::string, const char*>;

void expect_types(const ModelSpec& spec, const TypeTable& want) {
  for (const auto& [name, type] : want) {
    const TensorData* t = spec.find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(tensor_type_info(t->type).name, type) << name;
  }
}

// Every matrix of an F16 file is F16 except the router; vectors are F32.
void expect_f16_file(const ModelSpec& spec) {
  for (const auto& [name, t] : spec.tensors) {
    const bool matrix = t.n_dims >= 2 && name.ends_with(".weight") && name.find("ffn_gate_inp") == std::string::npos;
    EXPECT_EQ(tensor_type_info(t.type).name, matrix ? "F16" : "F32") << name;
  }
}

struct Case {
  const char* shape;
  const char* type;
  uint32_t layers;
  TypeTable types;  // hand-derived from llama.cpp's rule for the file's block count
};

// At one layer llama.cpp's use_more_bits(0, 1) is true (0 >= 7 * 1 / 8), so attn_v and
// ffn_down get Q6_K; 8-expert models take Q8_0 attn_k/attn_v and Q5_K attn_output instead;
// rows that are not whole 256-element super-blocks fall back (Q4_K→Q5_0, Q6_K→Q8_0), and
// output.weight is Q6_K, or Q8_0 for such rows.
std::vector<Case> cases() {
  return {
      {"mixtral-8x7b", "Q4_K_M", 1,
       {{"token_embd.weight", "Q4_K"}, {"output.weight", "Q6_K"}, {"output_norm.weight", "F32"},
        {"blk.0.attn_q.weight", "Q4_K"}, {"blk.0.attn_k.weight", "Q8_0"}, {"blk.0.attn_v.weight", "Q8_0"},
        {"blk.0.attn_output.weight", "Q5_K"}, {"blk.0.ffn_gate_inp.weight", "F32"},
        {"blk.0.ffn_gate_exps.weight", "Q4_K"}, {"blk.0.ffn_up_exps.weight", "Q4_K"},
        {"blk.0.ffn_down_exps.weight", "Q6_K"}, {"blk.0.attn_norm.weight", "F32"}}},
      {"mixtral-8x22b", "Q4_K_M", 1,
       {{"token_embd.weight", "Q4_K"}, {"output.weight", "Q6_K"}, {"blk.0.attn_k.weight", "Q8_0"},
        {"blk.0.attn_v.weight", "Q8_0"}, {"blk.0.attn_output.weight", "Q5_K"},
        {"blk.0.ffn_down_exps.weight", "Q6_K"}, {"blk.0.ffn_up_exps.weight", "Q4_K"}}},
      {"qwen3-30b-a3b", "Q4_K_M", 1,
       {{"token_embd.weight", "Q4_K"}, {"output.weight", "Q6_K"}, {"blk.0.attn_q.weight", "Q4_K"},
        {"blk.0.attn_k.weight", "Q4_K"}, {"blk.0.attn_v.weight", "Q6_K"}, {"blk.0.attn_output.weight", "Q4_K"},
        {"blk.0.attn_q_norm.weight", "F32"}, {"blk.0.ffn_down_exps.weight", "Q6_K"},
        {"blk.0.ffn_gate_exps.weight", "Q4_K"}, {"blk.0.ffn_gate_inp.weight", "F32"}}},
      {"qwen3-235b-a22b", "Q4_K_M", 1,
       {{"blk.0.attn_v.weight", "Q6_K"}, {"blk.0.ffn_down_exps.weight", "Q6_K"}, {"blk.0.ffn_up_exps.weight", "Q4_K"}}},
      {"olmoe-1b-7b", "Q4_K_M", 1,
       {{"blk.0.attn_v.weight", "Q6_K"}, {"blk.0.attn_k.weight", "Q4_K"}, {"blk.0.ffn_down_exps.weight", "Q6_K"},
        {"blk.0.attn_q_norm.weight", "F32"}, {"output.weight", "Q6_K"}}},
      {"olmoe-1b-7b", "Q8_0", 1, {{"blk.0.ffn_down_exps.weight", "Q8_0"}, {"token_embd.weight", "Q8_0"}}},
      // Two layers: the dense first layer and one MoE layer. use_more_bits(0, 2) is false,
      // use_more_bits(1, 2) true. Rows: 10944 and 128 are not multiples of 256, 1408 neither.
      {"deepseek-v2-lite", "Q4_K_M", 2,
       {{"blk.0.ffn_down.weight", "Q5_0"}, {"blk.0.ffn_gate.weight", "Q4_K"}, {"blk.0.attn_q.weight", "Q4_K"},
        {"blk.0.attn_kv_a_mqa.weight", "Q4_K"}, {"blk.0.attn_k_b.weight", "Q5_0"}, {"blk.0.attn_v_b.weight", "Q4_K"},
        {"blk.0.attn_output.weight", "Q4_K"}, {"blk.0.attn_kv_a_norm.weight", "F32"},
        {"blk.1.ffn_down_exps.weight", "Q8_0"}, {"blk.1.ffn_down_shexp.weight", "Q6_K"},
        {"blk.1.ffn_gate_exps.weight", "Q4_K"}, {"blk.1.ffn_gate_inp.weight", "F32"}, {"output.weight", "Q6_K"}}},
      {"deepseek-v2-lite", "F16", 2, {}},
      // 2880-wide rows are not whole super-blocks.
      {"gpt-oss-20b", "Q4_K_M", 1,
       {{"token_embd.weight", "Q5_0"}, {"output.weight", "Q8_0"}, {"blk.0.attn_q.weight", "Q5_0"},
        {"blk.0.attn_k.weight", "Q5_0"}, {"blk.0.attn_v.weight", "Q8_0"}, {"blk.0.attn_output.weight", "Q4_K"},
        {"blk.0.ffn_gate_exps.weight", "Q5_0"}, {"blk.0.ffn_down_exps.weight", "Q8_0"},
        {"blk.0.attn_sinks.weight", "F32"}, {"blk.0.attn_q.bias", "F32"}, {"blk.0.ffn_down_exps.bias", "F32"},
        {"blk.0.post_attention_norm.weight", "F32"}}},
      // As ggml-org publishes gpt-oss: MXFP4 experts, Q8_0 for the other matrices.
      {"gpt-oss-20b", "MXFP4", 1,
       {{"token_embd.weight", "Q8_0"}, {"output.weight", "Q8_0"}, {"blk.0.attn_q.weight", "Q8_0"},
        {"blk.0.attn_output.weight", "Q8_0"}, {"blk.0.ffn_gate_exps.weight", "MXFP4"},
        {"blk.0.ffn_up_exps.weight", "MXFP4"}, {"blk.0.ffn_down_exps.weight", "MXFP4"},
        {"blk.0.ffn_gate_inp.weight", "F32"}, {"blk.0.ffn_gate_inp.bias", "F32"}, {"blk.0.attn_sinks.weight", "F32"}}},
      {"gpt-oss-120b", "MXFP4", 1, {{"blk.0.ffn_down_exps.weight", "MXFP4"}, {"blk.0.attn_v.weight", "Q8_0"}}},
  };
}

class SynthShapeTest : public ::testing::TestWithParam<Case> {};

TEST_P(SynthShapeTest, LoadsWithThePublishedConfigAndLlamaCppTypes) {
  const Case& c = GetParam();
  ASSERT_GT(std::filesystem::space(std::filesystem::temp_directory_path()).available, uint64_t{8} << 30)
      << "these files need a few GB of free space in the temp folder";
  SynthFile file(c.shape, c.type, static_cast<int>(c.layers));
  const ModelSpec spec = load_model_spec(file.path());
  expect_published_config(spec.config, published(c.shape), c.layers);
  if (std::string(c.type) == "F16") expect_f16_file(spec);
  expect_types(spec, c.types);
  EXPECT_EQ(spec.metadata_summary.at("vkmoe.synthetic"), "true");
  EXPECT_EQ(spec.vocab.tokens.size(), published(c.shape).vocab);
}

std::string case_name(const Case& c) {
  std::string name = std::string(c.shape) + "_" + c.type;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

// A failing case names itself, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << case_name(c); }

INSTANTIATE_TEST_SUITE_P(Shapes, SynthShapeTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return case_name(info.param); });

// The tiny model in full: Qwen3-MoE layout, 3 layers, 8 experts top-2.
TEST(SynthTiny, LoadsInFullWithTheQ4KMMixture) {
  SynthFile file("tiny", "Q4_K_M", 0);
  const ModelSpec spec = load_model_spec(file.path());
  const ModelConfig& c = spec.config;
  EXPECT_EQ(c.arch, Architecture::kQwen3Moe);
  EXPECT_EQ(c.n_layer, 3u);
  EXPECT_EQ(c.n_expert, 8u);
  EXPECT_EQ(c.n_expert_used, 2u);
  EXPECT_TRUE(c.qk_norm_per_head);
  // use_more_bits(i, 3) holds for layer 2 only (2 >= 7 * 3 / 8).
  expect_types(spec, {{"blk.0.ffn_down_exps.weight", "Q4_K"}, {"blk.1.ffn_down_exps.weight", "Q4_K"},
                      {"blk.2.ffn_down_exps.weight", "Q6_K"}, {"blk.1.attn_v.weight", "Q8_0"},
                      {"blk.2.attn_k.weight", "Q8_0"}, {"blk.0.attn_output.weight", "Q5_K"},
                      {"output.weight", "Q6_K"}, {"token_embd.weight", "Q4_K"}});
  EXPECT_FALSE(spec.chat_template.empty());
}

// The F16 values decode finite and small, so a forward pass stays finite.
TEST(SynthTiny, WeightsAreFiniteAndModest) {
  SynthFile file("tiny", "F16", 0);
  const ModelSpec spec = load_model_spec(file.path());
  for (const char* name : {"token_embd.weight", "blk.0.ffn_up_exps.weight", "blk.2.attn_q.weight"}) {
    const TensorData& t = spec.require(name);
    double sum_sq = 0.0;
    size_t n = 0;
    for (const auto& slice : t.slices) {
      for (size_t i = 0; i + 1 < slice.size(); i += 2) {
        const uint16_t h = static_cast<uint16_t>(slice[i] | (slice[i + 1] << 8));
        ASSERT_NE(h & 0x7c00, 0x7c00) << name << " holds an Inf or NaN";
        // f16 → float by hand: sign, 5-bit exponent, 10-bit mantissa.
        const int e = (h >> 10) & 31, m = h & 1023;
        const double v = (h & 0x8000 ? -1.0 : 1.0) * (e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25));
        sum_sq += v * v;
        ++n;
      }
    }
    const double rms = std::sqrt(sum_sq / static_cast<double>(n));
    EXPECT_GT(rms, 0.01) << name;
    EXPECT_LT(rms, 0.04) << name;
  }
  const TensorData& norm = spec.require("blk.0.attn_norm.weight");
  float first = 0.0f;
  std::memcpy(&first, norm.slices.front().data(), 4);
  EXPECT_EQ(first, 1.0f);
}

TEST(SynthTiny, TokenizerRoundTripsText) {
  SynthFile file("tiny", "F16", 1);
  const ModelSpec spec = load_model_spec(file.path());
  ASSERT_EQ(spec.vocab.kind, TokenizerKind::kBytePairBpe);
  const Tokenizer tok(spec.vocab);
  EXPECT_EQ(tok.n_tokens(), 4096u);
  for (const std::string text : {"Hello world", "The quick brown fox jumps over the lazy dog.", "naïve café 東京 🙂\n\t 42",
                                 "<|im_start|>user\nhi<|im_end|>"}) {
    const std::vector<uint32_t> ids = tok.encode(text, false);
    EXPECT_EQ(tok.decode(ids), text);
  }
  // Merges are used: ordinary words take fewer tokens than bytes.
  const std::string words = "the and for you with this that have from they";
  EXPECT_LT(tok.encode(words, false).size(), words.size());
  EXPECT_TRUE(tok.is_eog(tok.find_token("<|im_end|>")));
  EXPECT_TRUE(tok.is_eog(tok.find_token("<|endoftext|>")));
  EXPECT_EQ(tok.encode("<|im_start|>", false), std::vector<uint32_t>{tok.find_token("<|im_start|>")});
}

TEST(SynthTiny, SameSeedSameFileOtherSeedOtherWeights) {
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string a = [&] { SynthFile f("tiny", "Q4_K_M", 1, 7); return read(f.path()); }();
  const std::string b = [&] { SynthFile f("tiny", "Q4_K_M", 1, 7); return read(f.path()); }();
  const std::string c = [&] { SynthFile f("tiny", "Q4_K_M", 1, 8); return read(f.path()); }();
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

void expect_rejected(const std::vector<std::string>& argv, const std::string& message_part) {
  try {
    synth::parse_synth_options(argv);
    FAIL() << "accepted: " << message_part;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

TEST(SynthOptions, RejectsBadArgumentsWithTheValidChoices) {
  expect_rejected({"--shape", "mixtral-9x9b", "--type", "F16", "--out", "x.gguf"}, "valid: tiny, mixtral-8x7b");
  expect_rejected({"--shape", "tiny", "--type", "Q3_K", "--out", "x.gguf"}, "valid: F16, Q8_0, Q4_K_M, MXFP4");
  expect_rejected({"--shape", "mixtral-8x7b", "--type", "MXFP4", "--out", "x.gguf"}, "gpt-oss only");
  expect_rejected({"--shape", "tiny", "--type", "F16", "--out", "x.gguf", "--layers", "0"}, "outside 1..3");
  expect_rejected({"--shape", "tiny", "--type", "F16", "--out", "x.gguf", "--layers", "4"}, "outside 1..3");
  expect_rejected({"--shape", "tiny", "--type", "F16", "--out", "x.gguf", "--layers", "two"}, "integer");
  expect_rejected({"--shape", "tiny", "--type", "F16"}, "out");
}

TEST(SynthOptions, UnwritableOutputIsAnErrorNamingThePath) {
  synth::SynthOptions o = synth::parse_synth_options(
      {"--shape", "tiny", "--type", "F16", "--out", "/nonexistent-vkmoe-dir/tiny.gguf", "--layers", "1"});
  o.progress = false;
  try {
    synth::write_synthetic_model(o);
    FAIL() << "wrote into a missing folder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-vkmoe-dir/tiny.gguf"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vkmoe
