// Malformed and hostile templates: every one ends in a vkmoe::Error that names the line,
// none crashes, loops forever or grows without bound.
#include <gtest/gtest.h>

#include "loader/base/error.h"
#include "loader/chat/chat_template.h"

namespace vkmoe {
namespace {

ChatRequest simple_request() {
  ChatRequest req;
  req.messages = nlohmann::ordered_json::parse(R"([{"role": "user", "content": "hi"}])");
  req.bos_token = "<s>";
  return req;
}

// Renders and returns the error; fails the test if rendering succeeds.
Error render_error(const std::string& source) {
  try {
    render_chat_template(source, simple_request());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "rendered without error: " << source;
  return Error(ErrorCode::kInternal, "");
}

void expect_error(const std::string& source, ErrorCode code, const std::string& fragment) {
  SCOPED_TRACE(source.substr(0, 80));
  const Error e = render_error(source);
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
}

TEST(ChatTemplateBadInput, UnterminatedTagsNameTheLine) {
  expect_error("a\nb\n{{ x ", ErrorCode::kInvalidFile, "line 3");
  expect_error("{% if true %}\nyes", ErrorCode::kInvalidFile, "'endif'");
  expect_error("line1\n{# never closed", ErrorCode::kInvalidFile, "line 2");
  expect_error("{% for x in y %}", ErrorCode::kInvalidFile, "endfor");
  expect_error("{{ 'unterminated }}", ErrorCode::kInvalidFile, "unterminated string");
  expect_error("{% raw %}never ends", ErrorCode::kInvalidFile, "raw");
  expect_error("{% endif %}", ErrorCode::kInvalidFile, "unknown tag 'endif'");
  expect_error("{{ }}", ErrorCode::kInvalidFile, "expected an expression");
  expect_error("{{ 1 + }}", ErrorCode::kInvalidFile, "unexpected");
  expect_error("{{ a b }}", ErrorCode::kInvalidFile, "end of print statement");
  expect_error("{{ (1, 2 }}", ErrorCode::kInvalidFile, "");
  expect_error("{{ x ] }}", ErrorCode::kInvalidFile, "unexpected ']'");
  expect_error("{% frobnicate %}", ErrorCode::kInvalidFile, "unknown tag 'frobnicate'");
  expect_error("{{ 1 @ 2 }}", ErrorCode::kInvalidFile, "unexpected char '@'");
  expect_error("{{ 99999999999999999999 }}", ErrorCode::kInvalidFile, "too large");
  expect_error("{% set 1 = 2 %}", ErrorCode::kInvalidFile, "a name");
  expect_error("{% macro m(a %}{% endmacro %}", ErrorCode::kInvalidFile, "");
}

TEST(ChatTemplateBadInput, RuntimeErrorsNameTheLine) {
  expect_error("ok\n{{ x|no_such_filter }}", ErrorCode::kInvalidArgument, "line 2");
  expect_error("{{ x|no_such_filter }}", ErrorCode::kInvalidArgument, "no filter named 'no_such_filter'");
  expect_error("{{ 1 is no_such_test }}", ErrorCode::kInvalidArgument, "no test named");
  expect_error("\n\n{{ missing.attr }}", ErrorCode::kInvalidArgument, "line 3: 'missing' is undefined");
  expect_error("{{ 'a' + 1 }}", ErrorCode::kInvalidArgument, "can only concatenate str");
  expect_error("{{ 1 // 0 }}", ErrorCode::kInvalidArgument, "division");
  expect_error("{{ [].append(1) }}", ErrorCode::kInvalidArgument, "unsafe");
  expect_error("{{ 9223372036854775807 + 1 }}", ErrorCode::kInvalidArgument, "64-bit");
  expect_error("{% for a, b in [1] %}{% endfor %}", ErrorCode::kInvalidArgument, "");
}

TEST(ChatTemplateBadInput, RaiseExceptionCarriesTheMessage) {
  expect_error("line one\n{{ raise_exception('Conversation roles must alternate') }}", ErrorCode::kInvalidArgument,
               "line 2: template raised: Conversation roles must alternate");
}

TEST(ChatTemplateBadInput, DeepNestingIsRejectedNotACrash) {
  std::string ifs, ends;
  for (int i = 0; i < 5000; ++i) ifs += "{% if true %}", ends += "{% endif %}";
  expect_error(ifs + ends, ErrorCode::kInvalidFile, "nests more than");
  expect_error("{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}", ErrorCode::kInvalidFile, "nests more than");
  expect_error("{{ " + std::string(100000, '-') + "1 }}", ErrorCode::kInvalidFile, "nests more than");
  std::string chain = "{{ x";
  for (int i = 0; i < 50000; ++i) chain += "|length";
  expect_error(chain + " }}", ErrorCode::kInvalidFile, "nests more than");
  std::string sum = "{{ 1";
  for (int i = 0; i < 50000; ++i) sum += " + 1";
  expect_error(sum + " }}", ErrorCode::kInvalidFile, "nests more than");
}

TEST(ChatTemplateBadInput, DeepValuesBuiltAtRunTimeAreFreedAndRefusedForPrinting) {
  const std::string build = "{% set ns = namespace(l=[]) %}{% for i in range(50000) %}{% set ns.l = [ns.l] %}{% endfor %}";
  EXPECT_EQ(render_chat_template(build + "done", simple_request()), "done");
  expect_error(build + "{{ ns.l }}", ErrorCode::kInvalidArgument, "nested");
  expect_error(build + "{{ ns.l|tojson }}", ErrorCode::kInvalidArgument, "nested");
  expect_error("{% set ns = namespace() %}{% set ns.me = [ns] %}", ErrorCode::kInvalidArgument, "cannot contain itself");
}

// Runaway templates end at the interpreter's fixed budgets (2 million steps, 1000 levels of
// recursion, 16 MiB of output or of one value), so how long they take depends only on the
// build's speed; the checks are on which budget stopped them, never on the clock.
TEST(ChatTemplateBadInput, EndlessLoopsStopAtTheStepLimit) {
  expect_error("line 1\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
               ErrorCode::kInvalidArgument, "line 2: limit exceeded: template ran more than 2 million steps");
}

TEST(ChatTemplateBadInput, EndlessRecursionStopsAtTheDepthLimit) {
  expect_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", ErrorCode::kInvalidArgument,
               "limit exceeded: template recursion deeper than 1000 levels");
}

TEST(ChatTemplateBadInput, GrowingOutputAndValuesStopAtTheSizeLimits) {
  expect_error("{% for i in range(100000) %}{{ 'y' * 1000 }}{% endfor %}", ErrorCode::kInvalidArgument,
               "limit exceeded: template output exceeds 16 MiB");
  expect_error("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
               ErrorCode::kInvalidArgument, "string result exceeds 16 MiB");
  expect_error("{{ 'x' * 100000000000 }}", ErrorCode::kInvalidArgument, "string repetition result exceeds 16 MiB");
  expect_error("{{ range(1000000) }}", ErrorCode::kInvalidArgument, "Range too big");
  expect_error("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
               ErrorCode::kInvalidArgument, "list result is too long");
}

TEST(ChatTemplateBadInput, HostileMessagesAreErrorsToo) {
  ChatRequest req = simple_request();
  nlohmann::ordered_json deep = "leaf";
  for (int i = 0; i < 1000; ++i) deep = nlohmann::ordered_json::array({deep});
  req.messages = nlohmann::ordered_json::array({{{"role", "user"}, {"content", deep}}});
  EXPECT_THROW(render_chat_template("{{ messages }}", req), Error);
  req.messages = nlohmann::ordered_json::parse(R"([{"role": "user", "content": "x"}])");
  req.extra = nlohmann::ordered_json::array();
  EXPECT_THROW(render_chat_template("{{ 1 }}", req), Error);
}

TEST(ChatTemplateBadInput, InvalidUtf8PassesThroughWithoutCrashing) {
  ChatRequest req = simple_request();
  EXPECT_EQ(render_chat_template("a\xff\xfe{{ 'b\xc3' }}{{ 'z\xe2\x82'|length }}", req), "a\xff\xfe" "b\xc3" "2");
}

}  // namespace
}  // namespace vkmoe
