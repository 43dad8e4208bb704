// The Python methods templates call on str, dict and list values ("x.strip()",
// "m.get('k')"). Methods that would modify a list or dict are refused, as jinja2's
// ImmutableSandboxedEnvironment refuses them.
#include <algorithm>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

std::optional<std::string> optional_text(const std::optional<Value>& v, const char* what) {
  if (!v || v->is_none()) return std::nullopt;
  if (!v->is_string()) throw std::runtime_error(std::string(what) + " arg must be None or str");
  return v->text();
}

int64_t int_arg(const std::optional<Value>& v, int64_t fallback) {
  if (!v || v->is_none()) return fallback;
  if (v->kind() != Kind::kInt && v->kind() != Kind::kBool) throw std::runtime_error("an integer is required");
  return v->as_int();
}

Value string_list(const std::vector<std::string>& parts) {
  List items;
  for (const auto& p : parts) items.push_back(Value::string(p));
  return Value::list(std::move(items));
}

bool affix_match(const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const Value& a) {
    if (!a.is_string()) throw std::runtime_error("startswith/endswith first arg must be str or a tuple of str");
    const std::string& t = a.text();
    if (t.size() > s.size()) return false;
    return prefix ? s.compare(0, t.size(), t) == 0 : s.compare(s.size() - t.size(), t.size(), t) == 0;
  };
  if (affix.kind() == Kind::kTuple) return std::any_of(affix.items().begin(), affix.items().end(), one);
  return one(affix);
}

// str.format with positional ("{}", "{0}") and keyword ("{name}") fields and "{{"/"}}";
// format specs are not supported.
std::string py_format(const std::string& fmt, CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
      else throw std::runtime_error("single '}' encountered in format string");
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw std::runtime_error("single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    bool repr = false;
    if (field.size() >= 2 && field[field.size() - 2] == '!') {
      repr = field.back() == 'r';
      field.resize(field.size() - 2);
    }
    if (field.find(':') != std::string::npos) throw std::runtime_error("format specs in str.format are not supported");
    const Value* v = nullptr;
    if (field.empty() || std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      const size_t index = field.empty() ? auto_index++ : std::stoul(field);
      if (index >= args.positional.size()) throw std::runtime_error("Replacement index " + std::to_string(index) + " out of range");
      v = &args.positional[index];
    } else {
      for (const auto& [k, value] : args.named)
        if (k == field) v = &value;
      if (!v) throw std::runtime_error("KeyError: '" + field + "'");
    }
    out += repr ? to_repr(*v) : to_str(*v);
  }
  return out;
}

Value string_method(const std::string& s, const std::string& name, CallArgs& args) {
  ArgReader a("str." + name, args);
  Value result;
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
    result = Value::string(name == "upper" ? py_upper(s) : name == "lower" ? py_lower(s) : name == "title" ? py_title(s) : py_capitalize(s));
  } else if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const auto chars = optional_text(a.get(0, "chars"), name.c_str());
    result = Value::string(py_strip(s, chars, name != "rstrip", name != "lstrip"));
  } else if (name == "split" || name == "rsplit") {
    const auto sep = optional_text(a.get(0, "sep"), "sep");
    const int64_t max_split = int_arg(a.get(1, "maxsplit"), -1);
    result = string_list(name == "split" ? py_split(s, sep, max_split) : py_rsplit(s, sep, max_split));
  } else if (name == "splitlines") {
    result = string_list(py_splitlines(s));
  } else if (name == "startswith" || name == "endswith") {
    const auto affix = a.get(0, "prefix");
    if (!affix) throw std::runtime_error(name + "() takes at least 1 argument");
    result = Value::boolean(affix_match(s, *affix, name == "startswith"));
  } else if (name == "replace") {
    const auto old = a.get(0, "old"), rep = a.get(1, "new");
    if (!old || !rep || !old->is_string() || !rep->is_string()) throw std::runtime_error("replace() takes two str arguments");
    result = Value::string(py_replace(s, old->text(), rep->text(), int_arg(a.get(2, "count"), -1)));
    if (result.text().size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
  } else if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    const auto sub = a.get(0, "sub");
    if (!sub || !sub->is_string()) throw std::runtime_error(name + "() argument must be str");
    if (name == "count") {
      int64_t n = 0;
      if (sub->text().empty()) {
        n = static_cast<int64_t>(count_code_points(s)) + 1;
      } else {
        for (size_t p = s.find(sub->text()); p != std::string::npos; p = s.find(sub->text(), p + sub->text().size())) ++n;
      }
      result = Value::integer(n);
    } else {
      const size_t p = name[0] == 'r' ? s.rfind(sub->text()) : s.find(sub->text());
      if (p == std::string::npos && (name == "index" || name == "rindex")) throw std::runtime_error("substring not found");
      result = Value::integer(p == std::string::npos ? -1 : static_cast<int64_t>(count_code_points(s.substr(0, p))));
    }
  } else if (name == "join") {
    const auto seq = a.get(0, "iterable");
    if (!seq) throw std::runtime_error("join() takes exactly one argument");
    std::string out;
    bool first = true;
    for (const Value& v : iterate(*seq)) {
      if (!v.is_string()) throw std::runtime_error(std::string("sequence item: expected str instance, ") + type_name(v) + " found");
      if (!first) out += s;
      first = false;
      out += v.text();
      if (out.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
    }
    result = Value::string(std::move(out));
  } else if (name == "isdigit" || name == "isalpha" || name == "isalnum" || name == "isspace" || name == "isupper" || name == "islower") {
    const std::u32string cps = decode_utf8(s);
    bool ok = !cps.empty();
    bool cased = false;
    for (char32_t c : cps) {
      const bool digit = c >= '0' && c <= '9';
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
      if (name == "isdigit") ok = ok && digit;
      if (name == "isalpha") ok = ok && alpha;
      if (name == "isalnum") ok = ok && (alpha || digit);
      if (name == "isspace") ok = ok && is_py_space(c);
      if (name == "isupper" || name == "islower") {
        const bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
        cased = cased || upper || lower;
        if (name == "isupper" && lower) ok = false;
        if (name == "islower" && upper) ok = false;
      }
    }
    if (name == "isupper" || name == "islower") ok = ok && cased;
    result = Value::boolean(ok);
  } else if (name == "format") {
    return Value::string(py_format(s, args));
  } else {
    throw std::runtime_error("'str' object has no attribute '" + name + "'");
  }
  a.finish();
  return result;
}

Value dict_method(const Value& d, const std::string& name, CallArgs& args) {
  ArgReader a("dict." + name, args);
  Value result;
  if (name == "items" || name == "keys" || name == "values") {
    List out;
    for (const auto& [k, v] : d.entries())
      out.push_back(name == "items" ? Value::tuple({k, v}) : name == "keys" ? k : v);
    result = Value::list(std::move(out));
  } else if (name == "get") {
    const auto key = a.get(0, "key");
    if (!key) throw std::runtime_error("get expected at least 1 argument");
    const Value fallback = a.get_or(1, "default", Value::none());
    const Value* v = d.find(*key);
    result = v ? *v : fallback;
  } else if (name == "copy") {
    result = Value::dict();
    for (const auto& [k, v] : d.entries()) result.set_entry(k, v);
  } else {
    throw std::runtime_error("access to attribute '" + name + "' of 'dict' object is unsafe.");
  }
  a.finish();
  return result;
}

Value list_method(const Value& l, const std::string& name, CallArgs& args) {
  ArgReader a(std::string(type_name(l)) + "." + name, args);
  Value result;
  if (name == "index" || name == "count") {
    const auto item = a.get(0, "value");
    if (!item) throw std::runtime_error(name + "() takes exactly one argument");
    int64_t count = 0, index = -1;
    for (size_t i = 0; i < l.items().size(); ++i) {
      if (!values_equal(l.items()[i], *item)) continue;
      if (index < 0) index = static_cast<int64_t>(i);
      ++count;
    }
    if (name == "index" && index < 0) throw std::runtime_error(to_repr(*item) + " is not in list");
    result = Value::integer(name == "index" ? index : count);
  } else if (name == "copy") {
    result = Value::list(l.items());
  } else {
    throw std::runtime_error("access to attribute '" + name + "' of '" + type_name(l) + "' object is unsafe.");
  }
  a.finish();
  return result;
}

bool is_method_of(Kind kind, const std::string& name) {
  static const char* const kStr[] = {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "split",
                                     "rsplit", "splitlines", "startswith", "endswith", "replace", "find", "rfind",
                                     "index", "rindex", "count", "join", "isdigit", "isalpha", "isalnum", "isspace",
                                     "isupper", "islower", "format"};
  static const char* const kDict[] = {"items", "keys", "values", "get", "copy", "pop", "popitem", "update",
                                      "setdefault", "clear", "fromkeys"};
  static const char* const kList[] = {"index", "count", "copy", "append", "extend", "insert", "remove", "pop", "clear",
                                      "sort", "reverse"};
  auto in = [&](const auto& names) {
    return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
  };
  switch (kind) {
    case Kind::kString: return in(kStr);
    case Kind::kDict: return in(kDict);
    case Kind::kList: return in(kList);
    case Kind::kTuple: return name == "index" || name == "count";
    default: return false;
  }
}

}  // namespace

Value bound_method(const Value& obj, const std::string& name) {
  if (!is_method_of(obj.kind(), name)) return Value::undefined("no method " + name);
  return Value::callable(name, [obj, name](Interpreter&, CallArgs& args) {
    if (obj.is_string()) return string_method(obj.text(), name, args);
    if (obj.is_dict()) return dict_method(obj, name, args);
    return list_method(obj, name, args);
  });
}

}  // namespace vkmoe::jinja
