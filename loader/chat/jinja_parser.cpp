#include "loader/chat/jinja_parser.h"

#include <algorithm>
#include <initializer_list>

#include "loader/chat/jinja_error.h"
#include "loader/chat/jinja_lexer.h"

namespace vkmoe::jinja {

namespace {

constexpr int kMaxNesting = 200;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Body parse_all() {
    Body body = parse_body({});
    return body;
  }

 private:
  // --- token stream -------------------------------------------------------------------

  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t ahead = 1) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
  const Token& next() {
    const Token& t = t_[i_];
    if (i_ + 1 < t_.size()) ++i_;
    return t;
  }
  bool is_op(const char* op) const { return cur().type == TokenType::kOperator && cur().value == op; }
  bool is_name(const char* name) const { return cur().type == TokenType::kName && cur().value == name; }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(const char* name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }

  static std::string describe(const Token& t) {
    switch (t.type) {
      case TokenType::kData: return "template data";
      case TokenType::kBlockBegin: return "'{%'";
      case TokenType::kBlockEnd: return "end of statement block";
      case TokenType::kVariableBegin: return "'{{'";
      case TokenType::kVariableEnd: return "end of print statement";
      case TokenType::kString: return "string";
      case TokenType::kInteger: return "integer";
      case TokenType::kFloat: return "float";
      case TokenType::kEnd: return "end of template";
      default: return "'" + t.value + "'";
    }
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw TemplateError(ErrorKind::kSyntax, cur().line, message);
  }
  [[noreturn]] void fail_unexpected(const std::string& expected) const {
    fail("expected " + expected + ", got " + describe(cur()));
  }

  void expect_op(const char* op) {
    if (!skip_op(op)) fail_unexpected(std::string("'") + op + "'");
  }
  void expect_name(const char* name) {
    if (!skip_name(name)) fail_unexpected(std::string("'") + name + "'");
  }
  std::string expect_identifier() {
    if (cur().type != TokenType::kName) fail_unexpected("a name");
    return next().value;
  }
  void expect_block_end() {
    if (cur().type != TokenType::kBlockEnd) fail_unexpected("end of statement block");
    next();
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p(p) {
      if (++p.depth_ > kMaxNesting) p.fail("template nests more than 200 levels deep");
    }
    ~DepthGuard() { --p.depth_; }
    Parser& p;
  };

  // Every composite node passes through here: chains built by loops rather than recursion
  // (a|f|f|f..., a+b+c+...) are bounded too, so evaluating and destroying stay shallow.
  ExprPtr bounded(ExprPtr e) {
    int depth = 0;
    for (const auto& a : e->args)
      if (a) depth = std::max(depth, a->depth);
    for (const auto& [k, a] : e->kwargs) depth = std::max(depth, a->depth);
    e->depth = depth + 1;
    if (e->depth > kMaxNesting) fail("template nests more than 200 levels deep");
    return e;
  }

  ExprPtr make(ExprKind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // --- statements ---------------------------------------------------------------------

  // Parses until a block tag named in `ends`; leaves the stream on that tag's '{%'.
  Body parse_body(std::initializer_list<const char*> ends) {
    DepthGuard guard(*this);
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == TokenType::kEnd) {
        if (ends.size() == 0) return body;
        std::string names;
        for (const char* e : ends) names += std::string(names.empty() ? "" : " or ") + "'" + e + "'";
        fail("unexpected end of template, expected " + names);
      }
      if (t.type == TokenType::kData) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kText;
        s->line = t.line;
        s->text = t.value;
        body.push_back(std::move(s));
        next();
      } else if (t.type == TokenType::kVariableBegin) {
        next();
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kOutput;
        s->line = t.line;
        s->expr = parse_tuple(true, {}, false);
        if (cur().type != TokenType::kVariableEnd) fail_unexpected("end of print statement");
        next();
        body.push_back(std::move(s));
      } else if (t.type == TokenType::kBlockBegin) {
        const Token& tag = peek();
        if (tag.type == TokenType::kName &&
            std::any_of(ends.begin(), ends.end(), [&](const char* e) { return tag.value == e; }))
          return body;
        next();
        body.push_back(parse_statement());
      } else {
        fail_unexpected("template data or a tag");
      }
    }
  }

  // At '{%' of an end/else tag named `name`: consumes "{% name".
  void enter_tag(const char* name) {
    next();
    expect_name(name);
  }

  StmtPtr parse_statement() {
    if (cur().type != TokenType::kName) fail("tag name expected");
    const std::string tag = cur().value;
    const int line = cur().line;
    next();
    auto s = std::make_unique<Stmt>();
    s->line = line;
    if (tag == "if") return parse_if(std::move(s));
    if (tag == "for") return parse_for(std::move(s));
    if (tag == "set") return parse_set(std::move(s));
    if (tag == "macro") return parse_macro(std::move(s));
    if (tag == "call") return parse_call_block(std::move(s));
    if (tag == "filter") return parse_filter_block(std::move(s));
    if (tag == "with") return parse_with(std::move(s));
    if (tag == "generation") {
      s->kind = StmtKind::kScope;
      expect_block_end();
      s->body = parse_body({"endgeneration"});
      enter_tag("endgeneration");
      expect_block_end();
      return s;
    }
    if (tag == "break" || tag == "continue") {
      s->kind = tag == "break" ? StmtKind::kBreak : StmtKind::kContinue;
      expect_block_end();
      return s;
    }
    throw TemplateError(ErrorKind::kSyntax, line, "encountered unknown tag '" + tag + "'");
  }

  StmtPtr parse_if(StmtPtr s) {
    s->kind = StmtKind::kIf;
    ExprPtr cond = parse_tuple(false, {}, false);
    expect_block_end();
    Body body = parse_body({"elif", "else", "endif"});
    s->branches.emplace_back(std::move(cond), std::move(body));
    while (true) {
      next();  // '{%'
      const std::string tag = next().value;
      if (tag == "elif") {
        ExprPtr c = parse_tuple(false, {}, false);
        expect_block_end();
        Body b = parse_body({"elif", "else", "endif"});
        s->branches.emplace_back(std::move(c), std::move(b));
      } else if (tag == "else") {
        expect_block_end();
        Body b = parse_body({"endif"});
        s->branches.emplace_back(nullptr, std::move(b));
        enter_tag("endif");
        expect_block_end();
        return s;
      } else {
        expect_block_end();
        return s;
      }
    }
  }

  StmtPtr parse_for(StmtPtr s) {
    s->kind = StmtKind::kFor;
    s->target = parse_assign_target(false, {"in"});
    expect_name("in");
    s->expr = parse_tuple(false, {"recursive"}, false);
    if (skip_name("if")) s->condition = parse_expression(true);
    if (is_name("recursive")) fail("recursive loops are not supported");
    expect_block_end();
    s->body = parse_body({"endfor", "else"});
    next();
    if (next().value == "else") {
      expect_block_end();
      s->else_body = parse_body({"endfor"});
      enter_tag("endfor");
    }
    expect_block_end();
    return s;
  }

  StmtPtr parse_set(StmtPtr s) {
    s->target = parse_assign_target(true, {});
    if (skip_op("=")) {
      s->kind = StmtKind::kSet;
      s->expr = parse_tuple(true, {}, false);
      expect_block_end();
      return s;
    }
    s->kind = StmtKind::kSetBlock;
    if (s->target->kind != ExprKind::kName) fail("a block set assigns to a plain name");
    while (skip_op("|")) s->filters.push_back(parse_filter(nullptr));
    expect_block_end();
    s->body = parse_body({"endset"});
    enter_tag("endset");
    expect_block_end();
    return s;
  }

  void parse_params(Stmt& s) {
    expect_op("(");
    while (!is_op(")")) {
      if (!s.params.empty()) expect_op(",");
      if (is_op(")")) break;
      std::string name = expect_identifier();
      ExprPtr def;
      if (skip_op("=")) def = parse_expression(true);
      s.params.emplace_back(std::move(name), std::move(def));
    }
    next();
  }

  StmtPtr parse_macro(StmtPtr s) {
    s->kind = StmtKind::kMacro;
    s->text = expect_identifier();
    parse_params(*s);
    expect_block_end();
    s->body = parse_body({"endmacro"});
    enter_tag("endmacro");
    if (cur().type == TokenType::kName) next();
    expect_block_end();
    return s;
  }

  StmtPtr parse_call_block(StmtPtr s) {
    s->kind = StmtKind::kCallBlock;
    if (is_op("(")) parse_params(*s);
    s->expr = parse_expression(true);
    if (s->expr->kind != ExprKind::kCall) fail("expected a call after 'call'");
    expect_block_end();
    s->body = parse_body({"endcall"});
    enter_tag("endcall");
    expect_block_end();
    return s;
  }

  StmtPtr parse_filter_block(StmtPtr s) {
    s->kind = StmtKind::kFilterBlock;
    do {
      s->filters.push_back(parse_filter(nullptr));
    } while (skip_op("|"));
    expect_block_end();
    s->body = parse_body({"endfilter"});
    enter_tag("endfilter");
    expect_block_end();
    return s;
  }

  StmtPtr parse_with(StmtPtr s) {
    s->kind = StmtKind::kWith;
    while (cur().type != TokenType::kBlockEnd) {
      if (!s->params.empty()) expect_op(",");
      std::string name = expect_identifier();
      expect_op("=");
      s->params.emplace_back(std::move(name), parse_expression(true));
    }
    expect_block_end();
    s->body = parse_body({"endwith"});
    enter_tag("endwith");
    expect_block_end();
    return s;
  }

  // A name, a namespace attribute (set only) or a tuple of names.
  ExprPtr parse_assign_target(bool with_namespace, std::initializer_list<const char*> extra_end) {
    const int line = cur().line;
    if (with_namespace && cur().type == TokenType::kName && peek().type == TokenType::kOperator && peek().value == ".") {
      auto obj = make(ExprKind::kName, line);
      obj->name = next().value;
      next();
      auto attr = make(ExprKind::kAttr, line);
      attr->name = expect_identifier();
      attr->args.push_back(std::move(obj));
      return attr;
    }
    std::vector<ExprPtr> names;
    bool tuple = false;
    const bool parens = skip_op("(");
    while (true) {
      if (!names.empty()) expect_op(",");
      if (parens ? is_op(")") : is_tuple_end(extra_end)) break;
      auto n = make(ExprKind::kName, cur().line);
      n->name = expect_identifier();
      if (n->name == "true" || n->name == "false" || n->name == "none" || n->name == "True" ||
          n->name == "False" || n->name == "None")
        fail("cannot assign to '" + n->name + "'");
      names.push_back(std::move(n));
      if (is_op(",")) tuple = true;
      else break;
    }
    if (parens) expect_op(")");
    if (names.empty()) fail_unexpected("a name");
    if (!tuple && names.size() == 1) return std::move(names[0]);
    auto t = make(ExprKind::kTuple, line);
    t->args = std::move(names);
    return t;
  }

  // --- expressions --------------------------------------------------------------------

  bool is_tuple_end(std::initializer_list<const char*> extra_end) const {
    const Token& t = cur();
    if (t.type == TokenType::kVariableEnd || t.type == TokenType::kBlockEnd || t.type == TokenType::kEnd) return true;
    if (t.type == TokenType::kOperator && t.value == ")") return true;
    if (t.type == TokenType::kName)
      return std::any_of(extra_end.begin(), extra_end.end(), [&](const char* e) { return t.value == e; });
    return false;
  }

  ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<const char*> extra_end, bool explicit_parens) {
    const int line = cur().line;
    std::vector<ExprPtr> items;
    bool tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (is_tuple_end(extra_end)) break;
      items.push_back(parse_expression(with_condexpr));
      if (is_op(",")) tuple = true;
      else break;
    }
    if (!tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail_unexpected("an expression");
    }
    auto t = make(ExprKind::kTuple, line);
    t->args = std::move(items);
    return bounded(std::move(t));
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthGuard guard(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    ExprPtr expr = parse_or();
    while (is_name("if")) {
      const int line = next().line;
      auto cond = make(ExprKind::kCond, line);
      cond->args.push_back(parse_or());
      cond->args.push_back(std::move(expr));
      cond->args.push_back(skip_name("else") ? parse_condexpr() : nullptr);
      expr = bounded(std::move(cond));
    }
    return expr;
  }

  ExprPtr binary(ExprKind kind, std::string op, ExprPtr left, ExprPtr right, int line) {
    auto e = make(kind, line);
    e->name = std::move(op);
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return bounded(std::move(e));
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const int line = next().line;
      left = binary(ExprKind::kOr, "or", std::move(left), parse_and(), line);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const int line = next().line;
      left = binary(ExprKind::kAnd, "and", std::move(left), parse_not(), line);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      DepthGuard guard(*this);
      auto e = make(ExprKind::kNot, next().line);
      e->args.push_back(parse_not());
      return bounded(std::move(e));
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    const int line = cur().line;
    ExprPtr first = parse_math1();
    auto cmp = make(ExprKind::kCompare, line);
    cmp->args.push_back(std::move(first));
    while (true) {
      const Token& t = cur();
      if (t.type == TokenType::kOperator &&
          (t.value == "==" || t.value == "!=" || t.value == "<" || t.value == "<=" || t.value == ">" || t.value == ">=")) {
        cmp->ops.push_back(next().value);
      } else if (is_name("in")) {
        next();
        cmp->ops.push_back("in");
      } else if (is_name("not") && peek().type == TokenType::kName && peek().value == "in") {
        next();
        next();
        cmp->ops.push_back("notin");
      } else {
        break;
      }
      cmp->args.push_back(parse_math1());
    }
    if (cmp->ops.empty()) return std::move(cmp->args[0]);
    return bounded(std::move(cmp));
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& op = next();
      left = binary(ExprKind::kBinary, op.value, std::move(left), parse_concat(), op.line);
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_op("~")) {
      const int line = next().line;
      left = binary(ExprKind::kBinary, "~", std::move(left), parse_math2(), line);
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& op = next();
      left = binary(ExprKind::kBinary, op.value, std::move(left), parse_pow(), op.line);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      const int line = next().line;
      left = binary(ExprKind::kBinary, "**", std::move(left), parse_unary(true), line);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      const Token& op = next();
      node = make(ExprKind::kUnary, op.line);
      node->name = op.value;
      node->args.push_back(parse_unary(false));
      node = bounded(std::move(node));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    const int line = t.line;
    switch (t.type) {
      case TokenType::kName: {
        auto e = make(ExprKind::kConst, line);
        const std::string& n = t.value;
        if (n == "true" || n == "True") e->constant = Value::boolean(true);
        else if (n == "false" || n == "False") e->constant = Value::boolean(false);
        else if (n == "none" || n == "None") e->constant = Value::none();
        else e->kind = ExprKind::kName, e->name = n;
        next();
        return e;
      }
      case TokenType::kString: {
        std::string s;
        while (cur().type == TokenType::kString) s += next().value;
        auto e = make(ExprKind::kConst, line);
        e->constant = Value::string(std::move(s));
        return e;
      }
      case TokenType::kInteger: {
        auto e = make(ExprKind::kConst, line);
        e->constant = Value::integer(next().integer);
        return e;
      }
      case TokenType::kFloat: {
        auto e = make(ExprKind::kConst, line);
        e->constant = Value::real(next().real);
        return e;
      }
      case TokenType::kOperator:
        if (t.value == "(") {
          next();
          ExprPtr e = parse_tuple(true, {}, true);
          expect_op(")");
          return e;
        }
        if (t.value == "[") return parse_list();
        if (t.value == "{") return parse_dict();
        break;
      default: break;
    }
    fail("unexpected " + describe(t));
  }

  ExprPtr parse_list() {
    auto e = make(ExprKind::kList, next().line);
    while (!is_op("]")) {
      if (!e->args.empty()) expect_op(",");
      if (is_op("]")) break;
      e->args.push_back(parse_expression(true));
    }
    next();
    return bounded(std::move(e));
  }

  ExprPtr parse_dict() {
    auto e = make(ExprKind::kDict, next().line);
    while (!is_op("}")) {
      if (!e->args.empty()) expect_op(",");
      if (is_op("}")) break;
      e->args.push_back(parse_expression(true));
      expect_op(":");
      e->args.push_back(parse_expression(true));
    }
    next();
    return bounded(std::move(e));
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_op(".") || is_op("[")) node = parse_subscript(std::move(node));
      else if (is_op("(")) node = parse_call(std::move(node));
      else return node;
    }
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (is_op("|")) {
        next();
        node = parse_filter(std::move(node));
      } else if (is_name("is")) {
        node = parse_test(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr node) {
    DepthGuard guard(*this);
    const Token& t = next();
    if (t.value == ".") {
      if (cur().type == TokenType::kInteger) {
        auto e = make(ExprKind::kItem, t.line);
        auto k = make(ExprKind::kConst, t.line);
        k->constant = Value::integer(next().integer);
        e->args.push_back(std::move(node));
        e->args.push_back(std::move(k));
        return bounded(std::move(e));
      }
      auto e = make(ExprKind::kAttr, t.line);
      e->name = expect_identifier();
      e->args.push_back(std::move(node));
      return bounded(std::move(e));
    }
    // '[' expression ']' or a slice '[a:b:c]'
    ExprPtr start;
    if (!is_op(":")) {
      start = parse_expression(true);
      if (!is_op(":")) {
        expect_op("]");
        auto e = make(ExprKind::kItem, t.line);
        e->args.push_back(std::move(node));
        e->args.push_back(std::move(start));
        return bounded(std::move(e));
      }
    }
    next();  // ':'
    auto e = make(ExprKind::kSlice, t.line);
    e->args.push_back(std::move(node));
    e->args.push_back(std::move(start));
    e->args.push_back(is_op(":") || is_op("]") ? nullptr : parse_expression(true));
    ExprPtr step;
    if (skip_op(":") && !is_op("]")) step = parse_expression(true);
    e->args.push_back(std::move(step));
    expect_op("]");
    return bounded(std::move(e));
  }

  void parse_call_args(Expr& call) {
    expect_op("(");
    size_t count = 0;  // arguments so far; args[0] is the callee or subject
    while (!is_op(")")) {
      if (count++ > 0) expect_op(",");
      if (is_op(")")) break;
      if (is_op("*") || is_op("**")) fail("*args and **kwargs in calls are not supported");
      if (cur().type == TokenType::kName && peek().type == TokenType::kOperator && peek().value == "=") {
        std::string key = next().value;
        next();
        call.kwargs.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!call.kwargs.empty()) fail("positional argument after keyword argument");
        call.args.push_back(parse_expression(true));
      }
    }
    next();
  }

  ExprPtr parse_call(ExprPtr callee) {
    DepthGuard guard(*this);
    auto e = make(ExprKind::kCall, cur().line);
    e->args.push_back(std::move(callee));
    parse_call_args(*e);
    return bounded(std::move(e));
  }

  std::string parse_dotted_name() {
    std::string name = expect_identifier();
    while (is_op(".") && peek().type == TokenType::kName) {
      next();
      name += "." + next().value;
    }
    return name;
  }

  ExprPtr parse_filter(ExprPtr subject) {
    DepthGuard guard(*this);
    auto e = make(ExprKind::kFilter, cur().line);
    e->name = parse_dotted_name();
    e->args.push_back(std::move(subject));
    if (is_op("(")) parse_call_args(*e);
    return bounded(std::move(e));
  }

  ExprPtr parse_test(ExprPtr subject) {
    DepthGuard guard(*this);
    auto e = make(ExprKind::kTest, next().line);  // 'is'
    e->negated = skip_name("not");
    e->name = parse_dotted_name();
    e->args.push_back(std::move(subject));
    const Token& t = cur();
    if (is_op("(")) {
      parse_call_args(*e);
    } else if ((t.type == TokenType::kName && t.value != "else" && t.value != "or" && t.value != "and") ||
               t.type == TokenType::kString || t.type == TokenType::kInteger || t.type == TokenType::kFloat ||
               is_op("[") || is_op("{")) {
      e->args.push_back(parse_postfix(parse_primary()));
    }
    return bounded(std::move(e));
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Body parse_template(std::string_view source) { return Parser(tokenize(source)).parse_all(); }

}  // namespace vkmoe::jinja
