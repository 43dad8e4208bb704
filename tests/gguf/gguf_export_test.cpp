// vkmoe convert's GGUF export against llama.cpp's own files: converting a golden Hugging
// Face folder must give the tensors llama.cpp's converter and quantizer wrote
// (shared/goldens/gguf), byte for byte, and the same vocabulary.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>

#include "loader/base/error.h"
#include "loader/gguf/gguf_export.h"
#include "loader/gguf/gguf_file.h"
#include "loader/model/model_spec.h"
#include "tests/support/goldens.h"
#include "tests/support/scratch_dir.h"

namespace vkmoe {
namespace {

// ne without trailing 1s: llama-quantize writes a [256, 1] router vector as [256].
std::vector<uint64_t> trimmed_shape(const GgufTensorInfo& t) {
  std::vector<uint64_t> ne(t.ne.begin(), t.ne.begin() + t.n_dims);
  while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
  return ne;
}

using ExportCase = std::tuple<std::string, std::string>;  // golden architecture, file type

class GgufExportTest : public ::testing::TestWithParam<ExportCase> {};

TEST_P(GgufExportTest, MatchesLlamaCppFileByteForByte) {
  const auto& [arch, type_name] = GetParam();
  const TensorType type = *tensor_type_from_name(type_name);
  test::ScratchDir dir;
  const std::string out = dir.file("out.gguf");
  export_gguf(load_model_spec(test::golden_path("hf/" + arch)), type, out);

  const GgufFile ours = GgufFile::open(out);
  const GgufFile theirs = GgufFile::open(test::golden_path("gguf/" + arch + "-" + type_name + ".gguf"));
  ASSERT_EQ(ours.tensors().size(), theirs.tensors().size());
  for (const auto& want : theirs.tensors()) {
    const GgufTensorInfo* got = ours.find_tensor(want.name);
    ASSERT_NE(got, nullptr) << want.name;
    EXPECT_EQ(got->type, want.type) << want.name;
    EXPECT_EQ(trimmed_shape(*got), trimmed_shape(want)) << want.name;
    ASSERT_EQ(got->bytes, want.bytes) << want.name;
    EXPECT_TRUE(std::equal(want.data.begin(), want.data.end(), got->data.begin())) << want.name << ": bytes differ";
  }
  for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.merges"}) {
    EXPECT_EQ(ours.metadata().get_string_array(key), theirs.metadata().get_string_array(key)) << key;
  }
  EXPECT_EQ(ours.metadata().find_string("tokenizer.chat_template"), theirs.metadata().find_string("tokenizer.chat_template"));
  EXPECT_EQ(ours.metadata().get_u32("general.file_type"), theirs.metadata().get_u32("general.file_type"));

  // The written file opens as the same model.
  const ModelSpec reread = load_model_spec(out);
  const ModelSpec golden = load_model_spec(test::golden_path("gguf/" + arch + "-" + type_name + ".gguf"));
  EXPECT_EQ(reread.config.n_expert, golden.config.n_expert);
  EXPECT_EQ(reread.config.router.normalize_topk, golden.config.router.normalize_topk);
  EXPECT_EQ(reread.config.qk_norm_per_head, golden.config.qk_norm_per_head);
  EXPECT_EQ(reread.config.qk_norm_full, golden.config.qk_norm_full);
  EXPECT_EQ(reread.config.n_ff_shared, golden.config.n_ff_shared);
  EXPECT_EQ(reread.vocab.eog, golden.vocab.eog);
}

INSTANTIATE_TEST_SUITE_P(Goldens, GgufExportTest,
                         ::testing::Combine(::testing::Values("qwen3_moe", "qwen2_moe", "olmoe"),
                                            ::testing::Values("F16", "Q8_0")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

TEST(GgufExport, RefusesArchitecturesWhoseGgufLayoutDiffers) {
  test::ScratchDir dir;
  for (const char* arch : {"mixtral", "deepseek_v3", "gpt_oss"}) {
    try {
      export_gguf(load_model_spec(test::golden_path(std::string("hf/") + arch)), TensorType::kF16, dir.file("x.gguf"));
      ADD_FAILURE() << arch << " was exported";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << arch;
      EXPECT_NE(std::string(e.what()).find("not converted yet"), std::string::npos) << e.what();
    }
  }
}

TEST(GgufExport, RefusesQuantizedSourcesAndOtherTargetTypes) {
  test::ScratchDir dir;
  const ModelSpec quantized = load_model_spec(test::golden_path("gguf/qwen3_moe-Q8_0.gguf"));
  EXPECT_THROW(export_gguf(quantized, TensorType::kF16, dir.file("a.gguf")), Error);
  const ModelSpec folder = load_model_spec(test::golden_path("hf/qwen3_moe"));
  EXPECT_THROW(export_gguf(folder, TensorType::kQ4_K, dir.file("b.gguf")), Error);
}

TEST(GgufExport, TensorTypesFollowLlamaCpp) {
  EXPECT_EQ(export_tensor_type("blk.0.attn_norm.weight", 1, 256, TensorType::kQ8_0), TensorType::kF32);
  EXPECT_EQ(export_tensor_type("blk.0.attn_q_norm.weight", 1, 64, TensorType::kF16), TensorType::kF32);
  EXPECT_EQ(export_tensor_type("blk.0.ffn_gate_inp.weight", 2, 256, TensorType::kQ8_0), TensorType::kF32);
  EXPECT_EQ(export_tensor_type("blk.0.attn_q.bias", 1, 256, TensorType::kF16), TensorType::kF32);
  EXPECT_EQ(export_tensor_type("blk.0.ffn_up_exps.weight", 3, 256, TensorType::kQ8_0), TensorType::kQ8_0);
  EXPECT_EQ(export_tensor_type("blk.0.ffn_up_exps.weight", 3, 80, TensorType::kQ8_0), TensorType::kF16);
}

}  // namespace
}  // namespace vkmoe
