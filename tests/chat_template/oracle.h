#pragma once
// The independent reference for the chat-template tests: jinja2 itself, driven by
// oracle/render.py exactly as transformers sets it up. All cases of a suite go to one
// python3 process. A missing python3 or jinja2 fails the tests; it never skips them.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "loader/chat/chat_template.h"

namespace vkmoe::test {

// jinja2 gets `request` as render.py's CASE.json: {"messages": [...], "add_generation_prompt":
// bool, "bos_token": str|null, "eos_token": str|null, "extra": {...}}.
struct TemplateCase {
  std::string name;
  std::string source;
  ChatRequest request;
};

struct Rendered {
  bool ok = false;
  std::string text;   // when ok
  std::string error;  // when not
};

std::string source_dir();  // the repository root
std::string read_text_file(const std::string& path);
// Keys stay in the file's order, as Python's json keeps them for the template to see.
nlohmann::ordered_json read_ordered_json(const std::string& path);

// A suite's case table with jinja2's outcomes, rendered on first use: one python3 run per
// suite, however many processes ctest starts (the answers are cached in the build folder).
class OracleSuite {
 public:
  explicit OracleSuite(std::vector<TemplateCase> cases) : cases_(std::move(cases)) {}
  const std::vector<TemplateCase>& cases() const { return cases_; }
  const std::vector<Rendered>& expected();
  // How vkmoe's rendering of case `index` differs from jinja2's; empty when both give the
  // same text, or both fail (then a raise_exception message must be in vkmoe's error too).
  std::string difference(size_t index);

 private:
  std::vector<TemplateCase> cases_;
  std::optional<std::vector<Rendered>> expected_;
};

}  // namespace vkmoe::test
