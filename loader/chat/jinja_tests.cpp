// jinja2's builtin tests ("x is defined", "n is divisibleby 3", "v is string" ...), with
// Python's type rules: a bool is a number and not an integer, a dict is a sequence.
#include <map>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

using TestFn = bool (*)(const Value&, ArgReader&);

Value required(ArgReader& a, const char* name) {
  const auto v = a.get(0, name);
  if (!v) throw std::runtime_error(std::string("test needs an argument '") + name + "'");
  return *v;
}

bool is_int(const Value& v) { return v.kind() == Kind::kInt; }

bool t_defined(const Value& v, ArgReader&) { return !v.is_undefined(); }
bool t_undefined(const Value& v, ArgReader&) { return v.is_undefined(); }
bool t_none(const Value& v, ArgReader&) { return v.is_none(); }
bool t_boolean(const Value& v, ArgReader&) { return v.kind() == Kind::kBool; }
bool t_true(const Value& v, ArgReader&) { return v.kind() == Kind::kBool && v.as_bool(); }
bool t_false(const Value& v, ArgReader&) { return v.kind() == Kind::kBool && !v.as_bool(); }
bool t_integer(const Value& v, ArgReader&) { return is_int(v); }
bool t_float(const Value& v, ArgReader&) { return v.kind() == Kind::kFloat; }
bool t_number(const Value& v, ArgReader&) { return v.is_number(); }
bool t_string(const Value& v, ArgReader&) { return v.is_string(); }
bool t_mapping(const Value& v, ArgReader&) { return v.is_dict(); }
bool t_callable(const Value& v, ArgReader&) { return v.kind() == Kind::kCallable || v.is_undefined(); }
bool t_iterable(const Value& v, ArgReader&) {
  return v.is_undefined() || v.is_string() || v.is_sequence() || v.is_dict();
}
bool t_sequence(const Value& v, ArgReader&) {
  return v.is_undefined() || v.is_string() || v.is_sequence() || v.is_dict();
}

bool parity(const Value& v, int64_t want) {
  if (!v.is_number()) throw std::runtime_error(std::string("unsupported operand type(s) for %: '") + type_name(v) + "' and 'int'");
  return values_equal(binary_op("%", v, Value::integer(2)), Value::integer(want));
}
bool t_odd(const Value& v, ArgReader&) { return parity(v, 1); }
bool t_even(const Value& v, ArgReader&) { return parity(v, 0); }
bool t_divisibleby(const Value& v, ArgReader& a) {
  return values_equal(binary_op("%", v, required(a, "num")), Value::integer(0));
}
bool t_eq(const Value& v, ArgReader& a) { return values_equal(v, required(a, "other")); }
bool t_ne(const Value& v, ArgReader& a) { return !values_equal(v, required(a, "other")); }
bool t_lt(const Value& v, ArgReader& a) { return less_than(v, required(a, "other")); }
bool t_gt(const Value& v, ArgReader& a) { return less_than(required(a, "other"), v); }
bool t_le(const Value& v, ArgReader& a) {
  const Value o = required(a, "other");
  return less_than(v, o) || values_equal(v, o);
}
bool t_ge(const Value& v, ArgReader& a) {
  const Value o = required(a, "other");
  return less_than(o, v) || values_equal(v, o);
}
bool t_in(const Value& v, ArgReader& a) { return contains(required(a, "seq"), v); }
bool t_sameas(const Value& v, ArgReader& a) {
  const Value o = required(a, "other");
  if (v.is_sequence() || v.is_dict() || v.kind() == Kind::kNamespace || v.kind() == Kind::kCallable) return v.same_object(o);
  return v.kind() == o.kind() && values_equal(v, o);
}
bool t_lower(const Value& v, ArgReader&) {
  const std::string s = to_str(v);
  return py_lower(s) == s && py_upper(s) != s;
}
bool t_upper(const Value& v, ArgReader&) {
  const std::string s = to_str(v);
  return py_upper(s) == s && py_lower(s) != s;
}

const std::map<std::string, TestFn>& tests() {
  static const std::map<std::string, TestFn> table = {
      {"defined", t_defined},   {"undefined", t_undefined}, {"none", t_none},           {"boolean", t_boolean},
      {"true", t_true},         {"false", t_false},         {"integer", t_integer},     {"float", t_float},
      {"number", t_number},     {"string", t_string},       {"mapping", t_mapping},     {"callable", t_callable},
      {"iterable", t_iterable}, {"sequence", t_sequence},   {"odd", t_odd},             {"even", t_even},
      {"divisibleby", t_divisibleby}, {"eq", t_eq},         {"equalto", t_eq},          {"==", t_eq},
      {"ne", t_ne},             {"!=", t_ne},               {"lt", t_lt},               {"lessthan", t_lt},
      {"<", t_lt},              {"le", t_le},               {"<=", t_le},               {"gt", t_gt},
      {"greaterthan", t_gt},    {">", t_gt},                {"ge", t_ge},               {">=", t_ge},
      {"in", t_in},             {"sameas", t_sameas},       {"lower", t_lower},         {"upper", t_upper},
  };
  return table;
}

}  // namespace

bool has_test(const std::string& name) { return tests().count(name) > 0; }

bool apply_test(Interpreter&, const std::string& name, const Value& subject, CallArgs& args) {
  const auto it = tests().find(name);
  if (it == tests().end()) throw std::runtime_error("no test named '" + name + "'");
  ArgReader reader(name, args);
  const bool result = it->second(subject, reader);
  reader.finish();
  return result;
}

}  // namespace vkmoe::jinja
