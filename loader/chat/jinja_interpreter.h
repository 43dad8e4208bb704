#pragma once
// Walks the statement tree and renders it. Scoping follows jinja2: each for-loop iteration
// and each macro call gets its own frame (a `set` there does not leak out), `if` does not;
// macros see the frame they were defined in, as it is when they are called.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loader/chat/jinja_ast.h"
#include "loader/chat/jinja_value.h"

namespace vkmoe::jinja {

class Interpreter {
 public:
  explicit Interpreter(std::vector<std::pair<std::string, Value>> variables);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  std::string render(const Body& body);
  Value call(const Value& callee, CallArgs& args);
  // One unit of work; a template that runs past the budget (an endless-looking loop) stops
  // with a TemplateError instead of hanging.
  void charge(uint64_t units = 1);
  int current_line() const { return current_line_; }

 private:
  struct Frame {
    std::vector<std::pair<std::string, Value>> vars;
    std::shared_ptr<Frame> parent;
  };
  enum class Flow { kNormal, kBreak, kContinue };

  Flow exec_body(const Body& body);
  Flow exec(const Stmt& s);
  Flow exec_for(const Stmt& s);
  void exec_if(const Stmt& s, Flow& flow);
  void define_macro(const Stmt& s);
  Value call_macro(const Stmt& macro, const std::shared_ptr<Frame>& closure, CallArgs& args);
  std::string capture(const Body& body);
  Value eval(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_filter(const Expr& e, const Value& subject);
  CallArgs eval_args(const Expr& e, size_t first);
  void assign(const Expr& target, const Value& v);
  void set_var(const std::string& name, Value v);
  Value lookup(const std::string& name) const;
  void emit(const std::string& text);

  std::shared_ptr<Frame> frame_;
  std::string* out_ = nullptr;
  uint64_t steps_ = 0;
  int depth_ = 0;
  int current_line_ = 0;
  // Frames captured by macros and call blocks. A macro stored in the frame it closes over
  // is a reference cycle; clearing these frames when rendering ends frees them.
  std::vector<std::shared_ptr<Frame>> closures_;
};

}  // namespace vkmoe::jinja
