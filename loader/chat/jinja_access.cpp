// Attribute, item and slice access with jinja2's fallbacks: a missing key, index or
// attribute is undefined (printing as ""), while any access on an undefined value fails.
#include <algorithm>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

void check_undefined(const Value& v) {
  if (v.is_undefined()) throw std::runtime_error(v.text());
}

std::string object_name(const Value& v) { return std::string("'") + type_name(v) + " object'"; }

Value missing_attribute(const Value& obj, const std::string& name) {
  return Value::undefined(object_name(obj) + " has no attribute '" + name + "'");
}

bool is_int_like(const Value& v) { return v.kind() == Kind::kInt || v.kind() == Kind::kBool; }

// Python's slice.indices(): clamps start/stop for a sequence of length n.
void slice_bounds(int64_t n, const Value& start_v, const Value& stop_v, const Value& step_v, int64_t& start,
                  int64_t& stop, int64_t& step) {
  auto as_index = [](const Value& v) {
    if (!is_int_like(v)) throw std::runtime_error("slice indices must be integers or None");
    return v.as_int();
  };
  step = step_v.is_none() ? 1 : as_index(step_v);
  if (step == 0) throw std::runtime_error("slice step cannot be zero");
  const int64_t lower = step < 0 ? -1 : 0;
  const int64_t upper = step < 0 ? n - 1 : n;
  auto adjust = [&](const Value& v, int64_t fallback) {
    if (v.is_none()) return fallback;
    int64_t i = as_index(v);
    if (i < 0) return std::max(i + n, lower);
    return std::min(i, upper);
  };
  start = adjust(start_v, step < 0 ? upper : lower);
  stop = adjust(stop_v, step < 0 ? lower : upper);
}

}  // namespace

Value get_attribute(const Value& obj, const std::string& name) {
  check_undefined(obj);
  switch (obj.kind()) {
    case Kind::kNamespace: {
      const Value* v = obj.find(Value::string(name));
      return v ? *v : Value::undefined("'Namespace object' has no attribute '" + name + "'");
    }
    case Kind::kDict: {
      Value method = bound_method(obj, name);
      if (!method.is_undefined()) return method;
      const Value* v = obj.find(Value::string(name));
      return v ? *v : missing_attribute(obj, name);
    }
    case Kind::kString:
    case Kind::kList:
    case Kind::kTuple: {
      Value method = bound_method(obj, name);
      return method.is_undefined() ? missing_attribute(obj, name) : method;
    }
    default: return missing_attribute(obj, name);
  }
}

Value get_item(const Value& obj, const Value& key) {
  check_undefined(obj);
  switch (obj.kind()) {
    case Kind::kDict: {
      const Value* v = obj.find(key);
      if (v) return *v;
      break;
    }
    case Kind::kList:
    case Kind::kTuple:
      if (is_int_like(key)) {
        const auto n = static_cast<int64_t>(obj.items().size());
        int64_t i = key.as_int();
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined(object_name(obj) + " has no element " + to_str(key));
        return obj.items()[static_cast<size_t>(i)];
      }
      break;
    case Kind::kString:
      if (is_int_like(key)) {
        const std::u32string cps = decode_utf8(obj.text());
        const auto n = static_cast<int64_t>(cps.size());
        int64_t i = key.as_int();
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined("'str object' has no element " + to_str(key));
        std::string s;
        append_utf8(s, cps[static_cast<size_t>(i)]);
        return Value::string(std::move(s));
      }
      break;
    default: break;
  }
  if (key.is_string()) return get_attribute(obj, key.text());
  return Value::undefined(object_name(obj) + " has no element " + to_repr(key));
}

Value get_slice(const Value& obj, const Value& start_v, const Value& stop_v, const Value& step_v) {
  check_undefined(obj);
  if (!obj.is_string() && !obj.is_sequence()) return Value::undefined(object_name(obj) + " is not subscriptable");
  const std::u32string cps = obj.is_string() ? decode_utf8(obj.text()) : std::u32string();
  const auto n = static_cast<int64_t>(obj.is_string() ? cps.size() : obj.items().size());
  int64_t start = 0, stop = 0, step = 1;
  slice_bounds(n, start_v, stop_v, step_v, start, stop, step);
  std::u32string text;
  List items;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (obj.is_string()) text.push_back(cps[static_cast<size_t>(i)]);
    else items.push_back(obj.items()[static_cast<size_t>(i)]);
  }
  if (obj.is_string()) return Value::string(encode_utf8(text));
  return obj.kind() == Kind::kTuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

}  // namespace vkmoe::jinja
