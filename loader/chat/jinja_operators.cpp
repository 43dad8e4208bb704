// Python's arithmetic, comparison and membership on template values, including its
// TypeErrors ("can only concatenate str (not "int") to str") where templates rely on them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
  throw std::runtime_error("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) + "'");
}

void check_undefined(const Value& v) {
  if (v.is_undefined()) throw std::runtime_error(v.text());
}

Value checked_int(__int128 v) {
  if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min())
    throw std::runtime_error("integer result out of the 64-bit range");
  return Value::integer(static_cast<int64_t>(v));
}

Value repeat(const Value& seq, int64_t times) {
  times = std::max<int64_t>(times, 0);
  if (seq.is_string()) {
    if (static_cast<double>(seq.text().size()) * static_cast<double>(times) > kMaxStringBytes)
      throw std::runtime_error("string repetition result exceeds 16 MiB");
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.text();
    return Value::string(std::move(out));
  }
  if (static_cast<double>(seq.items().size()) * static_cast<double>(times) > kMaxListItems)
    throw std::runtime_error("list repetition result is too long");
  List out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
  return seq.kind() == Kind::kTuple ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

bool is_int_like(const Value& v) { return v.kind() == Kind::kInt || v.kind() == Kind::kBool; }

double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

// CPython's float_floor_div.
double py_floordiv(double vx, double wx) {
  double mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0 && ((wx < 0) != (mod < 0))) div -= 1.0;
  if (div == 0) return std::copysign(0.0, vx / wx);
  double floordiv = std::floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

}  // namespace

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") {
    std::string s = to_str(a) + to_str(b);
    if (s.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
    return Value::string(std::move(s));
  }
  check_undefined(a);
  check_undefined(b);
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      if (a.text().size() + b.text().size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
      return Value::string(a.text() + b.text());
    }
    if (a.is_string()) throw std::runtime_error(std::string("can only concatenate str (not \"") + type_name(b) + "\") to str");
    if (a.is_sequence() && b.kind() == a.kind()) {
      if (a.items().size() + b.items().size() > kMaxListItems) throw std::runtime_error("list result is too long");
      List out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return a.kind() == Kind::kTuple ? Value::tuple(std::move(out)) : Value::list(std::move(out));
    }
    if (a.is_sequence()) throw std::runtime_error(std::string("can only concatenate ") + type_name(a) + " (not \"" + type_name(b) + "\") to " + type_name(a));
  }
  if (op == "*") {
    if ((a.is_string() || a.is_sequence()) && is_int_like(b)) return repeat(a, b.as_int());
    if ((b.is_string() || b.is_sequence()) && is_int_like(a)) return repeat(b, a.as_int());
  }
  if (!a.is_number() || !b.is_number()) {
    if (op == "%" && a.is_string()) throw std::runtime_error("printf-style string formatting is not supported");
    unsupported(op, a, b);
  }
  const bool ints = is_int_like(a) && is_int_like(b);
  const __int128 x = a.as_int(), y = b.as_int();
  const double fx = a.as_double(), fy = b.as_double();
  if (op == "+") return ints ? checked_int(x + y) : Value::real(fx + fy);
  if (op == "-") return ints ? checked_int(x - y) : Value::real(fx - fy);
  if (op == "*") return ints ? checked_int(x * y) : Value::real(fx * fy);
  if (op == "/") {
    if (fy == 0) throw std::runtime_error("division by zero");
    return Value::real(fx / fy);
  }
  if (op == "//" || op == "%") {
    if (ints) {
      if (y == 0) throw std::runtime_error("integer division or modulo by zero");
      __int128 q = x / y, r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) --q, r += y;
      return checked_int(op == "//" ? q : r);
    }
    if (fy == 0) throw std::runtime_error("float division by zero");
    if (op == "%") return Value::real(py_fmod(fx, fy));
    return Value::real(py_floordiv(fx, fy));
  }
  if (op == "**") {
    if (ints && y >= 0) {
      __int128 result = 1;
      for (__int128 i = 0; i < y; ++i) {
        result *= x;
        if (result > std::numeric_limits<int64_t>::max() || result < std::numeric_limits<int64_t>::min())
          throw std::runtime_error("integer result out of the 64-bit range");
        if (result == 0 || result == 1) break;
      }
      return checked_int(result);
    }
    if (fx == 0 && fy < 0) throw std::runtime_error("0.0 cannot be raised to a negative power");
    return Value::real(std::pow(fx, fy));
  }
  unsupported(op, a, b);
}

Value unary_op(const std::string& op, const Value& a) {
  check_undefined(a);
  if (!a.is_number()) throw std::runtime_error("bad operand type for unary " + op + ": '" + type_name(a) + "'");
  if (a.kind() == Kind::kFloat) return Value::real(op == "-" ? -a.as_double() : a.as_double());
  return op == "-" ? checked_int(-static_cast<__int128>(a.as_int())) : Value::integer(a.as_int());
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::kFloat || b.kind() == Kind::kFloat) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.text() < b.text();  // UTF-8 byte order is code point order
  if (a.is_sequence() && a.kind() == b.kind()) {
    const List& x = a.items();
    const List& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!values_equal(x[i], y[i])) return less_than(x[i], y[i]);
    return x.size() < y.size();
  }
  check_undefined(a);
  check_undefined(b);
  throw std::runtime_error(std::string("'<' not supported between instances of '") + type_name(a) + "' and '" + type_name(b) + "'");
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Kind::kString:
      if (!item.is_string()) throw std::runtime_error(std::string("'in <string>' requires string as left operand, not ") + type_name(item));
      return container.text().find(item.text()) != std::string::npos;
    case Kind::kList:
    case Kind::kTuple:
      for (const Value& v : container.items())
        if (values_equal(v, item)) return true;
      return false;
    case Kind::kDict: return container.find(item) != nullptr;
    case Kind::kUndefined: return false;
    default: throw std::runtime_error(std::string("argument of type '") + type_name(container) + "' is not iterable");
  }
}

bool compare_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return values_equal(a, b);
  if (op == "!=") return !values_equal(a, b);
  if (op == "in") return contains(b, a);
  if (op == "notin") return !contains(b, a);
  if (op == "<") return less_than(a, b);
  if (op == ">") return less_than(b, a);
  if (op == "<=") return less_than(a, b) || values_equal(a, b);
  if (op == ">=") return less_than(b, a) || values_equal(a, b);
  throw std::runtime_error("unknown comparison " + op);
}

List iterate(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined: return {};
    case Kind::kList:
    case Kind::kTuple: return v.items();
    case Kind::kDict: {
      List keys;
      for (const auto& [k, e] : v.entries()) keys.push_back(k);
      return keys;
    }
    case Kind::kString: {
      List chars;
      for (char32_t c : decode_utf8(v.text())) {
        std::string s;
        append_utf8(s, c);
        chars.push_back(Value::string(std::move(s)));
      }
      return chars;
    }
    default: throw std::runtime_error(std::string("'") + type_name(v) + "' object is not iterable");
  }
}

}  // namespace vkmoe::jinja
