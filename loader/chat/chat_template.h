#pragma once
// Renders a model's chat template (the Jinja source in tokenizer_config.json,
// chat_template.jinja or GGUF tokenizer.chat_template) the way Hugging Face transformers'
// apply_chat_template does: jinja2's ImmutableSandboxedEnvironment with trim_blocks and
// lstrip_blocks, loop controls, transformers' tojson, raise_exception and strftime_now.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vkmoe {

struct ChatRequest {
  // Ordered, so that tojson writes tool arguments in the order the caller gave them, as
  // Python's json does.
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  bool add_generation_prompt = true;
  // Absent tokens are left undefined, as transformers leaves a tokenizer's unset special
  // tokens out of the template variables.
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  // More template variables (tools, enable_thinking, reasoning_effort, ...); they override
  // the ones above.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

// Throws vkmoe::Error naming the template line: kInvalidFile for a template that does not
// parse, kInvalidArgument when rendering fails (raise_exception in the template, a type
// error, a resource limit).
std::string render_chat_template(const std::string& source, const ChatRequest& request);

}  // namespace vkmoe
