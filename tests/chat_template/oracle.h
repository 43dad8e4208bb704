#pragma once
// The independent reference for the chat-template tests: jinja2 itself, driven by
// oracle/render.py exactly as transformers sets it up. All cases of a suite go to one
// python3 process. A missing python3 or jinja2 fails the tests; it never skips them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loader/chat/chat_template.h"

namespace vkmoe::test {

// case_json: {"messages": [...], "add_generation_prompt": bool, "bos_token": str|null,
//             "eos_token": str|null, "extra": {...}}
struct TemplateCase {
  std::string name;
  std::string source;
  nlohmann::ordered_json case_json;
};

struct Rendered {
  bool ok = false;
  std::string text;   // when ok
  std::string error;  // when not
};

std::string source_dir();  // the repository root
std::string read_text_file(const std::string& path);
std::vector<Rendered> render_with_jinja2(const std::vector<TemplateCase>& cases);
ChatRequest request_for(const nlohmann::ordered_json& case_json);
Rendered render_with_vkmoe(const TemplateCase& c);
// Same outcome: equal text, or both failing (a template's raise_exception message must
// then appear in vkmoe's error too). Returns a description of the difference, empty if none.
std::string compare_outcomes(const Rendered& expected, const Rendered& actual);

}  // namespace vkmoe::test
