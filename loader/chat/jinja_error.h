#pragma once
// Errors inside the template engine carry the template line they happened on. Helpers deep
// in the engine throw plain std::runtime_error; the interpreter adds the line of the
// statement that was running, and render_chat_template turns both into vkmoe::Error.
#include <stdexcept>
#include <string>

namespace vkmoe::jinja {

enum class ErrorKind { kSyntax, kRuntime, kRaised /* raise_exception() */, kLimit };

class TemplateError : public std::runtime_error {
 public:
  TemplateError(ErrorKind kind, int line, const std::string& message)
      : std::runtime_error(message), kind_(kind), line_(line) {}
  ErrorKind kind() const { return kind_; }
  int line() const { return line_; }

 private:
  ErrorKind kind_;
  int line_;
};

}  // namespace vkmoe::jinja
