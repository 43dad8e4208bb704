// The published templates of the golden architectures (templates/*.jinja) rendered over a
// set of conversations, each compared byte for byte with jinja2 set up as transformers.
#include <gtest/gtest.h>

#include "tests/chat_template/oracle.h"

namespace vkmoe::test {
namespace {

using json = nlohmann::ordered_json;

json tool_schema() {
  return json::parse(R"([{"type": "function", "function": {"name": "get_weather",
    "description": "Get the weather for a city",
    "parameters": {"type": "object", "properties": {
      "city": {"type": "string", "description": "City name"},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
      "days": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
      "detail": {"type": ["object", "null"]}},
      "required": ["city"]}}}])");
}

struct Conversation {
  const char* name;
  json messages;
  json extra = json::object();
};

std::vector<Conversation> build_conversations() {
  const json call = json::parse(R"({"role": "assistant", "content": "", "tool_calls": [{"type": "function",
      "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]})");
  const json call_text_args = json::parse(R"({"role": "assistant", "content": null, "tool_calls": [{"type": "function",
      "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]})");
  return {
      {"user_only", json::parse(R"([{"role": "user", "content": "Hello!"}])")},
      {"system_user", json::parse(R"([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}])")},
      {"multi_turn", json::parse(R"([{"role": "user", "content": "What is a mixture of experts?"},
          {"role": "assistant", "content": "A sparse layer."}, {"role": "user", "content": "Thanks"}])")},
      {"system_multi_turn", json::parse(R"([{"role": "system", "content": "S"}, {"role": "user", "content": "a"},
          {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}])")},
      {"unicode", json::parse(R"([{"role": "user", "content": "héllo wörld — 你好 🙂 مرحبا\n\ttab \"quote\" 'apos' \\ back"},
          {"role": "assistant", "content": "ça va ✓"}, {"role": "user", "content": "日本語"}])")},
      {"empty_content", json::parse(R"([{"role": "user", "content": ""}, {"role": "assistant", "content": ""},
          {"role": "user", "content": " "}])")},
      {"whitespace_content", json::parse(R"([{"role": "user", "content": "\n  padded  \n"},
          {"role": "assistant", "content": "\n\nanswer\n"}, {"role": "user", "content": "again"}])")},
      {"tool_round_trip", json::array({json{{"role", "user"}, {"content", "Weather in Paris?"}}, call,
          json{{"role", "tool"}, {"content", "{\"temp\": 21}"}}, json{{"role", "assistant"}, {"content", "21 degrees."}}}),
       json{{"tools", tool_schema()}}},
      {"tool_pending", json::array({json{{"role", "user"}, {"content", "Weather in Paris?"}}, call,
          json{{"role", "tool"}, {"content", "sunny"}}}), json{{"tools", tool_schema()}}},
      {"tool_text_arguments", json::array({json{{"role", "user"}, {"content", "Weather?"}}, call_text_args,
          json{{"role", "tool"}, {"content", "rain"}}, json{{"role", "tool"}, {"content", "wind"}}})},
      {"tools_declared", json::parse(R"([{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Weather?"}])"),
       json{{"tools", tool_schema()}}},
      {"thinking", json::parse(R"([{"role": "user", "content": "2+2?"},
          {"role": "assistant", "content": "<think>\nadd\n</think>\n\n4", "thinking": "add"},
          {"role": "user", "content": "3+3?"}])"),
       json{{"enable_thinking", false}, {"reasoning_effort", "high"}, {"model_identity", "You are vkmoe."}}},
      {"developer_role", json::parse(R"([{"role": "developer", "content": "Be exact."}, {"role": "user", "content": "x"}])")},
      {"bad_roles", json::parse(R"([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])")},
      {"builtin_tools", json::parse(R"([{"role": "user", "content": "search"}])"),
       json{{"builtin_tools", {"browser", "python"}}}},
  };
}

const std::vector<Conversation>& conversations() {
  static const std::vector<Conversation> all = build_conversations();
  return all;
}

struct ModelCase {
  std::string model;
  std::string conversation;
  bool add_generation_prompt;
  bool with_bos;
};

std::vector<ModelCase> build_model_cases() {
  std::vector<ModelCase> out;
  for (const char* model : {"mixtral", "qwen3", "olmoe", "deepseek_v3", "gpt_oss"})
    for (const auto& c : conversations())
      for (bool agp : {true, false}) out.push_back({model, c.name, agp, true});
  for (const char* model : {"mixtral", "olmoe", "deepseek_v3"}) out.push_back({model, "system_user", true, false});
  return out;
}

const std::vector<ModelCase>& model_cases() {
  static const std::vector<ModelCase> all = build_model_cases();
  return all;
}

std::vector<TemplateCase> build_cases() {
  std::vector<TemplateCase> out;
  for (const auto& mc : model_cases()) {
    const std::string source = read_text_file(source_dir() + "/tests/chat_template/templates/" + mc.model + ".jinja");
    for (const auto& c : conversations()) {
      if (mc.conversation != c.name) continue;
      ChatRequest req;
      req.messages = c.messages;
      req.add_generation_prompt = mc.add_generation_prompt;
      if (mc.with_bos) req.bos_token = "<s>";
      req.eos_token = "</s>";
      req.extra = c.extra;
      out.push_back({mc.model + "/" + c.name, source, req});
    }
  }
  return out;
}

OracleSuite& suite() {
  static OracleSuite s(build_cases());
  return s;
}

class ModelTemplate : public ::testing::TestWithParam<size_t> {};

TEST_P(ModelTemplate, MatchesJinja2) {
  SCOPED_TRACE(suite().cases().at(GetParam()).name);
  const std::string diff = suite().difference(GetParam());
  EXPECT_TRUE(diff.empty()) << diff;
}

TEST(ModelTemplates, MostConversationsRender) {
  // The comparison above also accepts two failures; make sure the set mostly renders, so
  // a broken template file cannot pass by failing everywhere.
  size_t rendered = 0;
  for (const auto& r : suite().expected()) rendered += r.ok;
  EXPECT_GT(rendered, suite().expected().size() * 2 / 3);
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  const ModelCase& mc = model_cases().at(info.param);
  return mc.model + "_" + mc.conversation + (mc.add_generation_prompt ? "_gen" : "_nogen") + (mc.with_bos ? "" : "_nobos");
}

INSTANTIATE_TEST_SUITE_P(Published, ModelTemplate, ::testing::Range<size_t>(0, model_cases().size()), case_name);

}  // namespace
}  // namespace vkmoe::test
