// The goldens' expected.safetensors through the reader, checked against expected.json (the
// same ids in text) and against the checkpoint itself: hidden_states[0] is the embedding
// output, so row t equals model.embed_tokens.weight[prompt_ids[t]] exactly.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "loader/safetensors/safetensors_file.h"
#include "loader/safetensors/safetensors_values.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

class ExpectedOutputs : public ::testing::TestWithParam<std::string> {};

TEST_P(ExpectedOutputs, MatchExpectedJsonAndTheEmbeddingTable) {
  const std::string dir = test::golden_path("hf/" + GetParam());
  nlohmann::json expected = nlohmann::json::parse(std::ifstream(dir + "/expected.json"));
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
  const uint64_t vocab = config["vocab_size"], hidden = config["hidden_size"], layers = config["num_hidden_layers"];

  SafetensorsFile out = SafetensorsFile::open(dir + "/expected.safetensors");
  std::vector<int32_t> prompt = to_int32_vector(out.require("prompt_ids"));
  EXPECT_EQ(prompt, expected["prompt_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(to_int32_vector(out.require("greedy_ids")), expected["greedy_ids"].get<std::vector<int32_t>>());
  const uint64_t T = prompt.size();
  EXPECT_EQ(out.require("logits").shape, (std::vector<uint64_t>{T, vocab}));
  EXPECT_EQ(out.require("hidden_states").shape, (std::vector<uint64_t>{layers + 1, T, hidden}));
  EXPECT_EQ(out.require("greedy_logits").shape, (std::vector<uint64_t>{12, vocab}));

  SafetensorsFile model = SafetensorsFile::open(dir + "/model.safetensors");
  std::vector<float> embed = to_float_vector(model.require("model.embed_tokens.weight"));
  std::vector<float> hidden_states = to_float_vector(out.require("hidden_states"));
  for (uint64_t t = 0; t < T; ++t) {
    for (uint64_t i = 0; i < hidden; ++i) {
      ASSERT_EQ(hidden_states[t * hidden + i], embed[static_cast<uint64_t>(prompt[t]) * hidden + i]) << "token " << t << " dim " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, ExpectedOutputs,
                         ::testing::Values("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vkmoe
