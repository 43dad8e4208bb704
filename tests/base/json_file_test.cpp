// Whole-file JSON reads: a golden config.json against the values it states, and files that
// are missing, not regular files or not JSON, each an Error naming the file.
#include "loader/base/json_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "loader/base/error.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/goldens.h"

namespace vkmoe {
namespace {

void expect_error(const std::function<void()>& run, ErrorCode code, const std::string& fragment) {
  try {
    run();
    ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

std::string write_file(const test::ScratchDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(JsonFile, ReadsAGoldenConfig) {
  const nlohmann::json config = read_json_file(test::golden_path("hf/mixtral/config.json"));
  EXPECT_EQ(config.at("model_type"), "mixtral");
  EXPECT_EQ(config.at("hidden_size"), 256);
  EXPECT_TRUE(config.at("head_dim").is_null());
  EXPECT_EQ(config.at("architectures"), nlohmann::json::array({"MixtralForCausalLM"}));
}

TEST(JsonFile, MissingFileIsNotFound) {
  test::ScratchDir dir;
  const std::string path = dir.file("config.json");
  expect_error([&] { read_json_file(path); }, ErrorCode::kNotFound, path + ": cannot open");
}

TEST(JsonFile, FolderIsNotAFile) {
  test::ScratchDir dir;
  std::filesystem::create_directory(dir.file("config.json"));
  expect_error([&] { read_json_file(dir.file("config.json")); }, ErrorCode::kInvalidFile, dir.file("config.json") + ": not a regular file");
}

TEST(JsonFile, BadTextNamesTheFile) {
  test::ScratchDir dir;
  for (const std::string& text : {std::string(), std::string("{\"a\": "), std::string("{\"a\": 1} trailing"),
                                  std::string("[1, 2,]"), std::string("{\"a\xff\": 1}")}) {
    SCOPED_TRACE(text);
    const std::string path = write_file(dir, "bad.json", text);
    expect_error([&] { read_json_file(path); }, ErrorCode::kInvalidFile, path + ": not valid JSON: ");
  }
}

TEST(JsonFile, ParsedTextNamesItsSource) {
  EXPECT_EQ(parse_json("{\"k\": [1, \"x\"]}", "inline.json"), nlohmann::json::parse(R"({"k": [1, "x"]})"));
  expect_error([] { parse_json("{", "tokenizer.json"); }, ErrorCode::kInvalidFile, "tokenizer.json: not valid JSON: ");
}

}  // namespace
}  // namespace vkmoe
