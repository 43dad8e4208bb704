#include "loader/chat/jinja_interpreter.h"

#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/jinja_error.h"

namespace vkmoe::jinja {

namespace {

constexpr uint64_t kMaxSteps = 2'000'000;
constexpr int kMaxDepth = 1000;  // nested statements, expressions and macro calls together

[[noreturn]] void limit(int line, const std::string& what) { throw TemplateError(ErrorKind::kLimit, line, what); }

}  // namespace

Interpreter::Interpreter(std::vector<std::pair<std::string, Value>> variables) : frame_(std::make_shared<Frame>()) {
  frame_->vars = global_functions();
  for (auto& [name, value] : variables) set_var(name, std::move(value));
}

Interpreter::~Interpreter() {
  for (auto& frame : closures_) frame->vars.clear();
}

void Interpreter::charge(uint64_t units) {
  steps_ += units;
  if (steps_ > kMaxSteps) limit(current_line_, "template ran more than 2 million steps");
}

void Interpreter::emit(const std::string& text) {
  if (out_->size() + text.size() > kMaxStringBytes) limit(current_line_, "template output exceeds 16 MiB");
  out_->append(text);
}

std::string Interpreter::render(const Body& body) {
  std::string out;
  out_ = &out;
  try {
    exec_body(body);
  } catch (const TemplateError&) {
    throw;
  } catch (const std::exception& e) {
    throw TemplateError(ErrorKind::kRuntime, current_line_, e.what());
  }
  return out;
}

namespace {

struct DepthGuard {
  DepthGuard(int& depth, int line) : depth(depth) {
    if (++depth > kMaxDepth) limit(line, "template recursion deeper than 1000 levels");
  }
  ~DepthGuard() { --depth; }
  int& depth;
};

}  // namespace

void Interpreter::set_var(const std::string& name, Value v) {
  for (auto& [k, existing] : frame_->vars) {
    if (k == name) {
      existing = std::move(v);
      return;
    }
  }
  frame_->vars.emplace_back(name, std::move(v));
}

Value Interpreter::lookup(const std::string& name) const {
  for (const Frame* f = frame_.get(); f; f = f->parent.get())
    for (const auto& [k, v] : f->vars)
      if (k == name) return v;
  return Value::undefined("'" + name + "' is undefined");
}

Interpreter::Flow Interpreter::exec_body(const Body& body) {
  for (const auto& s : body) {
    const Flow flow = exec(*s);
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

std::string Interpreter::capture(const Body& body) {
  std::string buffer;
  std::string* saved = out_;
  out_ = &buffer;
  try {
    exec_body(body);
  } catch (...) {
    out_ = saved;
    throw;
  }
  out_ = saved;
  return buffer;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  DepthGuard guard(depth_, s.line);
  current_line_ = s.line;
  charge();
  switch (s.kind) {
    case StmtKind::kText: emit(s.text); return Flow::kNormal;
    case StmtKind::kOutput: emit(to_str(eval(*s.expr))); return Flow::kNormal;
    case StmtKind::kIf: {
      Flow flow = Flow::kNormal;
      exec_if(s, flow);
      return flow;
    }
    case StmtKind::kFor: return exec_for(s);
    case StmtKind::kSet: assign(*s.target, eval(*s.expr)); return Flow::kNormal;
    case StmtKind::kSetBlock: {
      Value v = Value::string(capture(s.body));
      for (const auto& f : s.filters) v = eval_filter(*f, v);
      assign(*s.target, v);
      return Flow::kNormal;
    }
    case StmtKind::kFilterBlock: {
      Value v = Value::string(capture(s.body));
      for (const auto& f : s.filters) v = eval_filter(*f, v);
      emit(to_str(v));
      return Flow::kNormal;
    }
    case StmtKind::kMacro: define_macro(s); return Flow::kNormal;
    case StmtKind::kCallBlock: {
      const Stmt* block = &s;
      std::shared_ptr<Frame> site = frame_;
      closures_.push_back(site);
      Value caller = Value::callable("caller", [block, site](Interpreter& in, CallArgs& args) {
        return in.call_macro(*block, site, args);
      });
      CallArgs args = eval_args(*s.expr, 1);
      args.named.emplace_back("caller", caller);
      emit(to_str(call(eval(*s.expr->args[0]), args)));
      return Flow::kNormal;
    }
    case StmtKind::kWith: {
      auto inner = std::make_shared<Frame>();
      inner->parent = frame_;
      for (const auto& [name, expr] : s.params) inner->vars.emplace_back(name, eval(*expr));
      std::swap(frame_, inner);
      Flow flow;
      try {
        flow = exec_body(s.body);
      } catch (...) {
        std::swap(frame_, inner);
        throw;
      }
      std::swap(frame_, inner);
      return flow;
    }
    case StmtKind::kScope: return exec_body(s.body);
    case StmtKind::kBreak: return Flow::kBreak;
    case StmtKind::kContinue: return Flow::kContinue;
  }
  return Flow::kNormal;
}

void Interpreter::exec_if(const Stmt& s, Flow& flow) {
  for (const auto& [cond, body] : s.branches) {
    if (cond && !eval(*cond).truthy()) continue;
    flow = exec_body(body);
    return;
  }
}

Interpreter::Flow Interpreter::exec_for(const Stmt& s) {
  const List all = iterate(eval(*s.expr));
  const std::shared_ptr<Frame> outer = frame_;
  struct Restore {
    Interpreter& in;
    std::shared_ptr<Frame> outer;
    ~Restore() { in.frame_ = outer; }
  } restore{*this, outer};

  // `for x in xs if cond`: the condition sees the loop variable, and loop.* counts only
  // the items that pass.
  List items;
  if (s.condition) {
    for (const Value& item : all) {
      charge();
      frame_ = std::make_shared<Frame>();
      frame_->parent = outer;
      assign(*s.target, item);
      if (eval(*s.condition).truthy()) items.push_back(item);
    }
  } else {
    items = all;
  }
  const auto n = static_cast<int64_t>(items.size());
  // One `loop` object per loop, updated in place each iteration: cheaper than a new one.
  static const char* const kFields[] = {"index0", "index", "revindex0", "revindex", "first", "last",
                                        "length", "depth", "depth0", "previtem", "nextitem", "cycle"};
  Value loop = Value::namespace_object();
  for (const char* field : kFields) loop.set_entry(Value::string(field), Value::none());
  auto position = std::make_shared<int64_t>(0);
  loop.set_entry_at(11, Value::callable("cycle", [position](Interpreter&, CallArgs& args) {
    if (args.positional.empty()) throw std::runtime_error("no items for cycling given");
    return args.positional[static_cast<size_t>(*position) % args.positional.size()];
  }));
  loop.set_entry_at(6, Value::integer(n));
  loop.set_entry_at(7, Value::integer(1));
  loop.set_entry_at(8, Value::integer(0));
  bool ran = false;
  for (int64_t i = 0; i < n; ++i) {
    charge();
    ran = true;
    *position = i;
    frame_ = std::make_shared<Frame>();
    frame_->parent = outer;
    loop.set_entry_at(0, Value::integer(i));
    loop.set_entry_at(1, Value::integer(i + 1));
    loop.set_entry_at(2, Value::integer(n - i - 1));
    loop.set_entry_at(3, Value::integer(n - i));
    loop.set_entry_at(4, Value::boolean(i == 0));
    loop.set_entry_at(5, Value::boolean(i == n - 1));
    loop.set_entry_at(9, i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
    loop.set_entry_at(10, i + 1 < n ? items[i + 1] : Value::undefined("there is no next item"));
    frame_->vars.emplace_back("loop", loop);
    assign(*s.target, items[i]);
    if (exec_body(s.body) == Flow::kBreak) break;
  }
  frame_ = outer;
  if (!ran) exec_body(s.else_body);
  return Flow::kNormal;
}

void Interpreter::define_macro(const Stmt& s) {
  const Stmt* macro = &s;
  std::shared_ptr<Frame> closure = frame_;
  closures_.push_back(closure);
  set_var(s.text, Value::callable(s.text, [macro, closure](Interpreter& in, CallArgs& args) {
    return in.call_macro(*macro, closure, args);
  }));
}

Value Interpreter::call_macro(const Stmt& macro, const std::shared_ptr<Frame>& closure, CallArgs& args) {
  DepthGuard guard(depth_, macro.line);
  auto frame = std::make_shared<Frame>();
  frame->parent = closure;
  std::shared_ptr<Frame> saved = frame_;
  frame_ = frame;
  struct Restore {
    Interpreter& in;
    std::shared_ptr<Frame> saved;
    ~Restore() { in.frame_ = saved; }
  } restore{*this, saved};

  List varargs;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i < macro.params.size()) frame->vars.emplace_back(macro.params[i].first, args.positional[i]);
    else varargs.push_back(args.positional[i]);
  }
  Value kwargs = Value::dict();
  for (auto& [name, value] : args.named) {
    bool is_param = name == "caller";
    for (const auto& p : macro.params) is_param = is_param || p.first == name;
    if (is_param) set_var(name, value);
    else kwargs.set_entry(Value::string(name), value);
  }
  // Defaults are evaluated in the macro's frame, so they may use earlier parameters.
  for (const auto& [name, def] : macro.params) {
    bool given = false;
    for (const auto& [k, v] : frame->vars) given = given || k == name;
    if (given) continue;
    set_var(name, def ? eval(*def) : Value::undefined("parameter '" + name + "' was not provided"));
  }
  set_var("varargs", Value::tuple(std::move(varargs)));
  set_var("kwargs", kwargs);
  return Value::string(capture(macro.body));
}

void Interpreter::assign(const Expr& target, const Value& v) {
  if (target.kind == ExprKind::kName) {
    set_var(target.name, v);
  } else if (target.kind == ExprKind::kTuple) {
    const List items = iterate(v);
    if (items.size() != target.args.size())
      throw std::runtime_error(items.size() > target.args.size() ? "too many values to unpack"
                                                                 : "not enough values to unpack");
    for (size_t i = 0; i < items.size(); ++i) assign(*target.args[i], items[i]);
  } else {
    Value ns = lookup(target.args[0]->name);
    if (ns.kind() != Kind::kNamespace) throw std::runtime_error("cannot assign attribute on non-namespace object");
    if (v.reaches(ns)) throw std::runtime_error("a namespace cannot contain itself");
    ns.set_entry(Value::string(target.name), v);
  }
}

CallArgs Interpreter::eval_args(const Expr& e, size_t first) {
  CallArgs args;
  for (size_t i = first; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i]));
  for (const auto& [name, expr] : e.kwargs) args.named.emplace_back(name, eval(*expr));
  return args;
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) throw std::runtime_error(callee.text());
  if (callee.kind() != Kind::kCallable) throw std::runtime_error(std::string("'") + type_name(callee) + "' object is not callable");
  return callee.function().fn(*this, args);
}

Value Interpreter::eval_call(const Expr& e) {
  Value callee = eval(*e.args[0]);
  CallArgs args = eval_args(e, 1);
  current_line_ = e.line;
  return call(callee, args);
}

Value Interpreter::eval_filter(const Expr& e, const Value& subject) {
  CallArgs args = eval_args(e, 1);
  current_line_ = e.line;
  return apply_filter(*this, e.name, subject, args);
}

Value Interpreter::eval(const Expr& e) {
  DepthGuard guard(depth_, e.line);
  current_line_ = e.line;
  switch (e.kind) {
    case ExprKind::kConst: return e.constant;
    case ExprKind::kName: return lookup(e.name);
    case ExprKind::kAttr: return get_attribute(eval(*e.args[0]), e.name);
    case ExprKind::kItem: {
      Value obj = eval(*e.args[0]);
      return get_item(obj, eval(*e.args[1]));
    }
    case ExprKind::kSlice: {
      Value obj = eval(*e.args[0]);
      auto part = [&](size_t i) { return e.args[i] ? eval(*e.args[i]) : Value::none(); };
      Value start = part(1), stop = part(2), step = part(3);
      return get_slice(obj, start, stop, step);
    }
    case ExprKind::kCall: return eval_call(e);
    case ExprKind::kFilter: return eval_filter(e, eval(*e.args[0]));
    case ExprKind::kTest: {
      Value subject = eval(*e.args[0]);
      CallArgs args = eval_args(e, 1);
      return Value::boolean(apply_test(*this, e.name, subject, args) != e.negated);
    }
    case ExprKind::kUnary: return unary_op(e.name, eval(*e.args[0]));
    case ExprKind::kBinary: {
      Value a = eval(*e.args[0]);
      Value b = eval(*e.args[1]);
      return binary_op(e.name, a, b);
    }
    case ExprKind::kCompare: {
      Value left = eval(*e.args[0]);
      for (size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.args[i + 1]);
        if (!compare_op(e.ops[i], left, right)) return Value::boolean(false);
        left = std::move(right);
      }
      return Value::boolean(true);
    }
    case ExprKind::kAnd: {
      Value left = eval(*e.args[0]);
      return left.truthy() ? eval(*e.args[1]) : left;
    }
    case ExprKind::kOr: {
      Value left = eval(*e.args[0]);
      return left.truthy() ? left : eval(*e.args[1]);
    }
    case ExprKind::kNot: return Value::boolean(!eval(*e.args[0]).truthy());
    case ExprKind::kCond:
      if (eval(*e.args[0]).truthy()) return eval(*e.args[1]);
      return e.args[2] ? eval(*e.args[2]) : Value::undefined("the inline if-expression evaluated to false and no else section was defined");
    case ExprKind::kList:
    case ExprKind::kTuple: {
      List items;
      for (const auto& a : e.args) items.push_back(eval(*a));
      return e.kind == ExprKind::kList ? Value::list(std::move(items)) : Value::tuple(std::move(items));
    }
    case ExprKind::kDict: {
      Value d = Value::dict();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value k = eval(*e.args[i]);
        d.set_entry(k, eval(*e.args[i + 1]));
      }
      return d;
    }
  }
  return Value();
}

}  // namespace vkmoe::jinja
