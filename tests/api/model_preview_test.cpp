// vkmoe_model_query_memory says what a model is before loading it: its architecture and its
// total and active parameter counts. The oracle is the Hugging Face checkpoint of the same
// model: its safetensors header, read here, lists every tensor's shape.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <string>

#include "tests/api/api_fixture.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {
namespace {

struct Counts {
  uint64_t total = 0;
  uint64_t routed_experts = 0;  // tensors of mlp.experts.<i>.*
};

Counts count_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  uint64_t header_size = 0;
  in.read(reinterpret_cast<char*>(&header_size), 8);
  std::string header(header_size, '\0');
  in.read(header.data(), std::streamsize(header_size));
  Counts c;
  const nlohmann::json tensors = nlohmann::json::parse(header);
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") continue;
    uint64_t elements = 1;
    for (const auto& d : it.value().at("shape")) elements *= d.get<uint64_t>();
    c.total += elements;
    if (name.find("mlp.experts.") != std::string::npos) c.routed_experts += elements;
  }
  return c;
}

class ModelPreviewTest : public ApiTest {};

TEST_F(ModelPreviewTest, ArchitectureAndParameterCountsMatchTheCheckpoint) {
  const Counts hf = count_safetensors(golden_path("hf/qwen3_moe/model.safetensors"));
  const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
  vkmoe_model_load_info info{};
  info.struct_size = sizeof(info);
  info.path = path.c_str();
  vkmoe_model_memory memory{};
  memory.struct_size = sizeof(memory);
  ASSERT_EQ(vkmoe_model_query_memory(context(), &info, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_STREQ(memory.architecture, "qwen3moe");
  EXPECT_EQ(memory.total_parameters, hf.total);
  // 16 experts, 4 used per token (the README of the goldens).
  EXPECT_EQ(memory.active_parameters, hf.total - hf.routed_experts + hf.routed_experts * 4 / 16);
}

TEST_F(ModelPreviewTest, FirstVersionOfTheStructIsFilledUpToItsEnd) {
  const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
  vkmoe_model_load_info info{};
  info.struct_size = sizeof(info);
  info.path = path.c_str();
  vkmoe_model_memory memory{};
  std::memset(&memory, 0xAB, sizeof(memory));  // poison: the fields past the caller's struct stay untouched
  memory.struct_size = uint32_t(offsetof(vkmoe_model_memory, architecture));
  ASSERT_EQ(vkmoe_model_query_memory(context(), &info, &memory), VKMOE_OK) << vkmoe_context_last_error(context());
  EXPECT_GT(memory.total_bytes, 0u);
  EXPECT_EQ(uint8_t(memory.architecture[0]), 0xABu);
  memory.struct_size = uint32_t(offsetof(vkmoe_model_memory, architecture)) - 1;
  EXPECT_EQ(vkmoe_model_query_memory(context(), &info, &memory), VKMOE_ERROR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace vkmoe::test
