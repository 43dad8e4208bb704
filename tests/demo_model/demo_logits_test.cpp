// The demo model's logits in vkmoe equal PyTorch's: tools/train_demo_model saved float32
// logits of four chat prompts from the trained (float16-rounded) weights, which the Hugging
// Face folder and the F16 GGUF hold exactly, and from the weights the Q8_0 GGUF holds
// (quantized and dequantized by the script's own Q8_0 code).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/session.h"
#include "loader/safetensors/safetensors_file.h"
#include "loader/safetensors/safetensors_values.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/compare.h"
#include "tests/support/demo_model.h"

namespace vkmoe::test {
namespace {

struct DemoSource {
  std::string name;
  std::string file;       // inside the demo folder; empty: the folder itself
  std::string reference;  // suffix of the reference logits' name: "" (float weights) or "_q8_0"
};

void PrintTo(const DemoSource& s, std::ostream* os) { *os << s.name; }

class DemoLogitsTest : public GpuTest, public ::testing::WithParamInterface<DemoSource> {};

TEST_P(DemoLogitsTest, PromptLogitsMatchPyTorch) {
  auto model = Model::load(ctx(), demo_model_path(GetParam().file));
  const auto reference = SafetensorsFile::open(demo_model_path("reference_logits.safetensors"));
  const uint32_t vocab = model->config().n_vocab;
  int prompts = 0;
  for (; reference.find("prompt" + std::to_string(prompts) + "_ids") != nullptr; ++prompts) {
    const std::string prefix = "prompt" + std::to_string(prompts);
    std::vector<uint32_t> ids;
    for (int32_t id : to_int32_vector(reference.require(prefix + "_ids"))) ids.push_back(static_cast<uint32_t>(id));
    const std::vector<float> want = to_float_vector(reference.require(prefix + "_logits" + GetParam().reference));
    const std::vector<float> float_model = to_float_vector(reference.require(prefix + "_logits"));
    ASSERT_EQ(want.size(), ids.size() * vocab) << prefix;

    SessionOptions o;
    o.max_ctx = 128;
    o.kv_cache_type = kernels::KvCacheType::kF32;  // --precision f32
    Session session(*model, o);
    const std::vector<float> got = session.eval(ids, true);
    std::printf("%s, %s: %zu tokens, relative L2 error %.3g (%.3g from the float16 model's logits)\n",
                GetParam().name.c_str(), prefix.c_str(), ids.size(), relative_l2_error(got, want),
                relative_l2_error(got, float_model));
    EXPECT_TRUE(all_close(got, want, {1e-4}, prefix + " logits"));
  }
  EXPECT_GE(prompts, 4);
}

INSTANTIATE_TEST_SUITE_P(DemoModel, DemoLogitsTest,
                         ::testing::Values(DemoSource{"HfFolder", "", ""}, DemoSource{"F16", "vkmoe-demo-F16.gguf", ""},
                                           DemoSource{"Q8_0", "vkmoe-demo-Q8_0.gguf", "_q8_0"}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vkmoe::test
