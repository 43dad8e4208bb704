// Expert tensors larger than one storage-buffer binding (lavapipe: 128 MiB) must still run:
// a Mixtral-8x7B-shaped layer in Q4_K_M stacks 8 experts of 33 MiB per matrix (264 MiB). The
// resident run binds them in windows of whole experts; the streamed run copies them into
// banked slots and reads one-token misses in place, window by window. Both must give the same
// finite logits, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/session.h"
#include "tests/gpu_support/gpu_test.h"

namespace vkmoe::test {
namespace {

class LargeExpertTensorTest : public GpuTest {
 protected:
  static void SetUpTestSuite() {
    path_ = (std::filesystem::temp_directory_path() / ("vkmoe-large-experts-" + std::to_string(::getpid()) + ".gguf")).string();
    const std::string command = std::string(VKMOE_SYNTH_EXE) + " --shape mixtral-8x7b --type Q4_K_M --layers 1 --out " + path_ +
                                " > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() { std::filesystem::remove(path_); }

  std::vector<float> logits(const ModelOptions& options) {
    auto model = Model::load(ctx(), path_, options);
    EXPECT_GT(model->weights().find("blk.0.ffn_up_exps.weight")->buffer.size(), ctx().caps().max_storage_buffer_range)
        << "the case needs a stacked expert tensor over one binding";
    SessionOptions so;
    so.max_ctx = 8;
    so.max_tokens = 2;
    Session session(*model, so);
    const std::vector<uint32_t> tokens = {1, 15043};
    return session.eval(tokens, true);
  }

  static std::string path_;
};

std::string LargeExpertTensorTest::path_;

TEST_F(LargeExpertTensorTest, ResidentWindowsAndStreamedBanksAgree) {
  const std::vector<float> resident = logits({});
  ModelOptions streamed;
  streamed.experts.expert_slots = 2;
  const std::vector<float> got = logits(streamed);
  ASSERT_EQ(got.size(), resident.size());
  for (float v : resident) ASSERT_TRUE(std::isfinite(v));
  EXPECT_EQ(std::memcmp(got.data(), resident.data(), got.size() * 4), 0);
}

}  // namespace
}  // namespace vkmoe::test
