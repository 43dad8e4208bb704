#include "loader/chat/chat_template.h"

#include "loader/base/error.h"
#include "loader/chat/jinja_error.h"
#include "loader/chat/jinja_interpreter.h"
#include "loader/chat/jinja_parser.h"

namespace vkmoe {

std::string render_chat_template(const std::string& source, const ChatRequest& request) {
  using jinja::Value;
  std::vector<std::pair<std::string, Value>> vars;
  try {
    vars.emplace_back("messages", Value::from_json(request.messages));
    vars.emplace_back("tools", Value::none());
    vars.emplace_back("documents", Value::none());
    vars.emplace_back("add_generation_prompt", Value::boolean(request.add_generation_prompt));
    if (request.bos_token) vars.emplace_back("bos_token", Value::string(*request.bos_token));
    if (request.eos_token) vars.emplace_back("eos_token", Value::string(*request.eos_token));
    if (!request.extra.is_object()) throw Error(ErrorCode::kInvalidArgument, "chat template: extra variables must be a JSON object");
    for (const auto& [name, value] : request.extra.items()) vars.emplace_back(name, Value::from_json(value));
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const Error*>(&e)) throw;
    throw Error(ErrorCode::kInvalidArgument, std::string("chat template variables: ") + e.what());
  }

  try {
    const jinja::Body body = jinja::parse_template(source);
    return jinja::Interpreter(std::move(vars)).render(body);
  } catch (const jinja::TemplateError& e) {
    const std::string where = "chat template line " + std::to_string(e.line()) + ": ";
    switch (e.kind()) {
      case jinja::ErrorKind::kSyntax: throw Error(ErrorCode::kInvalidFile, where + "syntax error: " + e.what());
      case jinja::ErrorKind::kRaised: throw Error(ErrorCode::kInvalidArgument, where + "template raised: " + e.what());
      case jinja::ErrorKind::kLimit: throw Error(ErrorCode::kInvalidArgument, where + "limit exceeded: " + e.what());
      case jinja::ErrorKind::kRuntime: break;
    }
    throw Error(ErrorCode::kInvalidArgument, where + e.what());
  }
}

}  // namespace vkmoe
