// Runs the C translation unit c_api_exercise.c, compiled as C99, on a golden model.
#include <gtest/gtest.h>

#include "tests/api/c_api_exercise.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

TEST(CApi, EveryCallFromC) {
  char failure[1024] = "";
  const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
  EXPECT_EQ(vkmoe_c_api_exercise(path.c_str(), failure, sizeof(failure)), 1) << failure;
}

}  // namespace
}  // namespace vkmoe::test
