#pragma once
// The parsed template: statements (text, output, if, for, set, macro, call, filter, ...)
// holding expression trees. One node type per family keeps the evaluator a single switch.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loader/chat/jinja_value.h"

namespace vkmoe::jinja {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class ExprKind {
  kConst,    // constant
  kName,     // name
  kAttr,     // args[0].name
  kItem,     // args[0][args[1]]
  kSlice,    // args[0][args[1]:args[2]:args[3]], absent parts are null
  kCall,     // args[0](args[1..], kwargs)
  kFilter,   // args[0] | name(args[1..], kwargs); args[0] is null inside filter/set blocks
  kTest,     // args[0] is [not] name(args[1..])
  kUnary,    // name is "-" or "+"
  kBinary,   // args[0] name args[1], name one of + - * / // % ** ~
  kCompare,  // args[0] ops[0] args[1] ops[1] args[2] ...: ==, !=, <, <=, >, >=, in, notin
  kAnd,
  kOr,
  kNot,
  kCond,     // args[1] if args[0] else args[2] (args[2] null: undefined)
  kList,
  kTuple,
  kDict,     // args alternate key, value
};

struct Expr {
  ExprKind kind = ExprKind::kConst;
  int line = 0;
  Value constant;
  std::string name;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
  int depth = 1;  // height of this subtree; the parser bounds it
};

enum class StmtKind {
  kText,         // text
  kOutput,       // {{ expr }}
  kIf,           // branches: (condition, body), the else branch has a null condition
  kFor,          // for target in expr [if condition]: body, else_body
  kSet,          // set target = expr
  kSetBlock,     // set target [| filters]: body
  kMacro,        // macro text(params): body
  kCallBlock,    // call(params) expr: body, exposed to the callee as caller()
  kFilterBlock,  // filter filters: body
  kWith,         // with params: body
  kScope,        // a body rendered in place ({% generation %} of transformers)
  kBreak,
  kContinue,
};

struct Stmt {
  StmtKind kind = StmtKind::kText;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr target;
  ExprPtr condition;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::pair<std::string, ExprPtr>> params;  // null default: required
  std::vector<ExprPtr> filters;                         // kFilter nodes with a null subject
};

}  // namespace vkmoe::jinja
