// The functions a chat template can call by name: jinja2's range, dict and namespace, and
// transformers' raise_exception and strftime_now.
#include <ctime>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/jinja_error.h"
#include "loader/chat/jinja_interpreter.h"

namespace vkmoe::jinja {

namespace {

constexpr int64_t kMaxRange = 100000;  // jinja2's sandbox MAX_RANGE

int64_t int_value(const Value& v) {
  if (v.kind() != Kind::kInt && v.kind() != Kind::kBool)
    throw std::runtime_error(std::string("'") + type_name(v) + "' object cannot be interpreted as an integer");
  return v.as_int();
}

Value range(Interpreter&, CallArgs& args) {
  if (!args.named.empty()) throw std::runtime_error("range() takes no keyword arguments");
  const auto& p = args.positional;
  if (p.empty() || p.size() > 3) throw std::runtime_error("range expected 1 to 3 arguments");
  const int64_t start = p.size() == 1 ? 0 : int_value(p[0]);
  const int64_t stop = int_value(p.size() == 1 ? p[0] : p[1]);
  const int64_t step = p.size() == 3 ? int_value(p[2]) : 1;
  if (step == 0) throw std::runtime_error("range() arg 3 must not be zero");
  const __int128 span = step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  const __int128 abs_step = step > 0 ? step : -static_cast<__int128>(step);
  const __int128 count = span <= 0 ? 0 : (span + abs_step - 1) / abs_step;
  if (count > kMaxRange) throw std::runtime_error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  List items;
  for (__int128 i = 0; i < count; ++i) items.push_back(Value::integer(static_cast<int64_t>(start + i * step)));
  return Value::list(std::move(items));
}

// dict(mapping, **kw) and namespace(mapping, **kw) build their entries the same way.
void fill_entries(Value& target, CallArgs& args, const char* fn) {
  if (args.positional.size() > 1) throw std::runtime_error(std::string(fn) + " expected at most 1 positional argument");
  if (!args.positional.empty()) {
    const Value& init = args.positional[0];
    if (init.is_dict() || init.kind() == Kind::kNamespace) {
      for (const auto& [k, v] : init.entries()) target.set_entry(k, v);
    } else {
      for (const Value& pair : iterate(init)) {
        const List kv = iterate(pair);
        if (kv.size() != 2) throw std::runtime_error(std::string(fn) + " sequence elements must have length 2");
        target.set_entry(kv[0], kv[1]);
      }
    }
  }
  for (const auto& [k, v] : args.named) target.set_entry(Value::string(k), v);
}

Value make_dict(Interpreter&, CallArgs& args) {
  Value d = Value::dict();
  fill_entries(d, args, "dict");
  return d;
}

Value make_namespace(Interpreter&, CallArgs& args) {
  Value ns = Value::namespace_object();
  fill_entries(ns, args, "namespace");
  return ns;
}

Value raise_exception(Interpreter& in, CallArgs& args) {
  const std::string message = args.positional.empty() ? "" : to_str(args.positional[0]);
  throw TemplateError(ErrorKind::kRaised, in.current_line(), message);
}

Value strftime_now(Interpreter&, CallArgs& args) {
  if (args.positional.size() != 1 || !args.positional[0].is_string()) throw std::runtime_error("strftime_now expects a format string");
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[512];
  const size_t n = std::strftime(buf, sizeof(buf), args.positional[0].text().c_str(), &local);
  return Value::string(std::string(buf, n));
}

}  // namespace

std::vector<std::pair<std::string, Value>> global_functions() {
  return {
      {"range", Value::callable("range", range)},
      {"dict", Value::callable("dict", make_dict)},
      {"namespace", Value::callable("namespace", make_namespace)},
      {"raise_exception", Value::callable("raise_exception", raise_exception)},
      {"strftime_now", Value::callable("strftime_now", strftime_now)},
  };
}

}  // namespace vkmoe::jinja
