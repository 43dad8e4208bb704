// jinja2's builtin filters that chat templates use, with transformers' own `tojson`
// (json.dumps, ensure_ascii=False) in place of jinja2's HTML-safe one.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"
#include "loader/chat/jinja_interpreter.h"
#include "loader/chat/json_dump.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

using FilterFn = Value (*)(Interpreter&, const Value&, ArgReader&);

std::string text_arg(ArgReader& a, size_t pos, const char* name, const std::string& fallback) {
  const auto v = a.get(pos, name);
  if (!v) return fallback;
  if (!v->is_string()) throw std::runtime_error(std::string("argument '") + name + "' must be a string");
  return v->text();
}

int64_t int_arg(ArgReader& a, size_t pos, const char* name, int64_t fallback) {
  const auto v = a.get(pos, name);
  if (!v || v->is_none()) return fallback;
  if (v->kind() != Kind::kInt && v->kind() != Kind::kBool) throw std::runtime_error(std::string("argument '") + name + "' must be an integer");
  return v->as_int();
}

bool bool_arg(ArgReader& a, size_t pos, const char* name, bool fallback) {
  const auto v = a.get(pos, name);
  return v ? v->truthy() : fallback;
}

// "a.b.0": each part is an item lookup (then attribute), digits index lists.
Value attribute_path(const Value& obj, const std::string& path) {
  Value v = obj;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    v = get_item(v, digits ? Value::integer(std::atoll(part.c_str())) : Value::string(part));
    if (dot == std::string::npos) return v;
    start = dot + 1;
  }
}

Value lower_if_text(const Value& v, bool case_sensitive) {
  return !case_sensitive && v.is_string() ? Value::string(py_lower(v.text())) : v;
}

size_t length_of(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined: return 0;
    case Kind::kString: return count_code_points(v.text());
    case Kind::kList:
    case Kind::kTuple: return v.items().size();
    case Kind::kDict: return v.entries().size();
    default: throw std::runtime_error(std::string("object of type '") + type_name(v) + "' has no len()");
  }
}

Value string_filter(const Value& v, std::string (*fn)(std::string_view)) { return Value::string(fn(to_str(v))); }

Value f_length(Interpreter&, const Value& v, ArgReader&) { return Value::integer(static_cast<int64_t>(length_of(v))); }
Value f_lower(Interpreter&, const Value& v, ArgReader&) { return string_filter(v, py_lower); }
Value f_upper(Interpreter&, const Value& v, ArgReader&) { return string_filter(v, py_upper); }
Value f_title(Interpreter&, const Value& v, ArgReader&) { return string_filter(v, py_title); }
Value f_capitalize(Interpreter&, const Value& v, ArgReader&) { return string_filter(v, py_capitalize); }
Value f_string(Interpreter&, const Value& v, ArgReader&) { return Value::string(to_str(v)); }

Value f_trim(Interpreter&, const Value& v, ArgReader& a) {
  const auto chars = a.get(0, "chars");
  std::optional<std::string> set;
  if (chars && !chars->is_none()) set = to_str(*chars);
  return Value::string(py_strip(to_str(v), set, true, true));
}

Value f_replace(Interpreter&, const Value& v, ArgReader& a) {
  const std::string old = to_str(a.get_or(0, "old", Value::string("")));
  const std::string rep = to_str(a.get_or(1, "new", Value::string("")));
  std::string out = py_replace(to_str(v), old, rep, int_arg(a, 2, "count", -1));
  if (out.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
  return Value::string(std::move(out));
}

Value f_escape(Interpreter&, const Value& v, ArgReader&) {
  std::string out;
  for (char c : to_str(v)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return Value::string(std::move(out));
}

Value f_safe(Interpreter&, const Value& v, ArgReader&) { return Value::string(to_str(v)); }

Value f_default(Interpreter&, const Value& v, ArgReader& a) {
  const Value fallback = a.get_or(0, "default_value", Value::string(""));
  const bool boolean = bool_arg(a, 1, "boolean", false);
  if (v.is_undefined() || (boolean && !v.truthy())) return fallback;
  return v;
}

Value f_first(Interpreter&, const Value& v, ArgReader&) {
  const List items = iterate(v);
  return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value f_last(Interpreter&, const Value& v, ArgReader&) {
  const List items = iterate(v);
  return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value f_list(Interpreter&, const Value& v, ArgReader&) { return Value::list(iterate(v)); }

Value f_reverse(Interpreter&, const Value& v, ArgReader&) {
  if (v.is_string()) {
    std::u32string cps = decode_utf8(v.text());
    std::reverse(cps.begin(), cps.end());
    return Value::string(encode_utf8(cps));
  }
  List items = iterate(v);
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

Value f_join(Interpreter&, const Value& v, ArgReader& a) {
  const std::string sep = to_str(a.get_or(0, "d", Value::string("")));
  const auto attribute = a.get(1, "attribute");
  std::string out;
  bool first = true;
  for (const Value& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    out += to_str(attribute && !attribute->is_none() ? attribute_path(item, to_str(*attribute)) : item);
    if (out.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
  }
  return Value::string(std::move(out));
}

Value f_items(Interpreter&, const Value& v, ArgReader&) {
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict()) throw std::runtime_error("Can only get item pairs from a mapping.");
  List out;
  for (const auto& [k, e] : v.entries()) out.push_back(Value::tuple({k, e}));
  return Value::list(std::move(out));
}

Value f_dictsort(Interpreter&, const Value& v, ArgReader& a) {
  const bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  const std::string by = text_arg(a, 1, "by", "key");
  const bool reverse = bool_arg(a, 2, "reverse", false);
  if (by != "key" && by != "value") throw std::runtime_error("You can only sort by either \"key\" or \"value\"");
  if (!v.is_dict()) throw std::runtime_error("dictsort needs a mapping");
  const size_t pos = by == "key" ? 0 : 1;
  List items;
  for (const auto& [k, e] : v.entries()) items.push_back(Value::tuple({k, e}));
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    const Value kx = lower_if_text(x.items()[pos], case_sensitive), ky = lower_if_text(y.items()[pos], case_sensitive);
    return reverse ? less_than(ky, kx) : less_than(kx, ky);
  });
  return Value::list(std::move(items));
}

Value f_sort(Interpreter&, const Value& v, ArgReader& a) {
  const bool reverse = bool_arg(a, 0, "reverse", false);
  const bool case_sensitive = bool_arg(a, 1, "case_sensitive", false);
  const auto attribute = a.get(2, "attribute");
  List items = iterate(v);
  auto key = [&](const Value& x) {
    return lower_if_text(attribute && !attribute->is_none() ? attribute_path(x, to_str(*attribute)) : x, case_sensitive);
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    return reverse ? less_than(key(y), key(x)) : less_than(key(x), key(y));
  });
  return Value::list(std::move(items));
}

Value f_unique(Interpreter&, const Value& v, ArgReader& a) {
  const bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  const auto attribute = a.get(1, "attribute");
  List out, seen;
  for (const Value& item : iterate(v)) {
    const Value key = lower_if_text(attribute && !attribute->is_none() ? attribute_path(item, to_str(*attribute)) : item, case_sensitive);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return values_equal(s, key); })) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value min_or_max(const Value& v, ArgReader& a, bool want_max) {
  const bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  const auto attribute = a.get(1, "attribute");
  const List items = iterate(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  auto key = [&](const Value& x) {
    return lower_if_text(attribute && !attribute->is_none() ? attribute_path(x, to_str(*attribute)) : x, case_sensitive);
  };
  Value best = items[0];
  for (size_t i = 1; i < items.size(); ++i)
    if (want_max ? less_than(key(best), key(items[i])) : less_than(key(items[i]), key(best))) best = items[i];
  return best;
}

Value f_min(Interpreter&, const Value& v, ArgReader& a) { return min_or_max(v, a, false); }
Value f_max(Interpreter&, const Value& v, ArgReader& a) { return min_or_max(v, a, true); }

Value f_sum(Interpreter&, const Value& v, ArgReader& a) {
  const auto attribute = a.get(0, "attribute");
  Value total = a.get_or(1, "start", Value::integer(0));
  for (const Value& item : iterate(v))
    total = binary_op("+", total, attribute && !attribute->is_none() ? attribute_path(item, to_str(*attribute)) : item);
  return total;
}

Value f_abs(Interpreter&, const Value& v, ArgReader&) {
  if (!v.is_number()) throw std::runtime_error(std::string("bad operand type for abs(): '") + type_name(v) + "'");
  if (v.kind() == Kind::kFloat) return Value::real(std::fabs(v.as_double()));
  if (v.as_int() == INT64_MIN) throw std::runtime_error("integer result out of the 64-bit range");
  return Value::integer(std::llabs(v.as_int()));
}

Value f_round(Interpreter&, const Value& v, ArgReader& a) {
  const int64_t precision = int_arg(a, 0, "precision", 0);
  const std::string method = text_arg(a, 1, "method", "common");
  if (!v.is_number()) throw std::runtime_error(std::string("type ") + type_name(v) + " doesn't define __round__ method");
  if (method != "common" && method != "ceil" && method != "floor") throw std::runtime_error("method must be common, ceil or floor");
  if (precision < -300 || precision > 300) throw std::runtime_error("round precision out of range");
  if (method == "common") {
    if (v.kind() != Kind::kFloat) return Value::integer(v.as_int());
    // printf rounds the exact binary value, ties to even: what Python's round() does.
    if (precision >= 0) {
      char buf[400];
      std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(precision), v.as_double());
      return Value::real(std::strtod(buf, nullptr));
    }
    const double scale = std::pow(10.0, static_cast<double>(-precision));
    return Value::real(std::nearbyint(v.as_double() / scale) * scale);
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double x = v.as_double() * scale;
  return Value::real((method == "ceil" ? std::ceil(x) : std::floor(x)) / scale);
}

Value f_int(Interpreter&, const Value& v, ArgReader& a) {
  const Value fallback = a.get_or(0, "default", Value::integer(0));
  const int64_t base = int_arg(a, 1, "base", 10);
  if (v.kind() == Kind::kInt || v.kind() == Kind::kBool) return Value::integer(v.as_int());
  if (v.kind() == Kind::kFloat) {
    if (!std::isfinite(v.as_double()) || std::fabs(v.as_double()) >= 9.2e18) throw std::runtime_error("cannot convert float to integer");
    return Value::integer(static_cast<int64_t>(v.as_double()));
  }
  if (!v.is_string()) return fallback;
  std::string s = py_strip(v.text(), std::nullopt, true, true);
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  if (s.empty()) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(s.c_str(), &end, static_cast<int>(base));
  if (end && *end == '\0' && errno == 0) return Value::integer(parsed);
  const double d = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(d) && std::fabs(d) < 9.2e18) return Value::integer(static_cast<int64_t>(d));
  return fallback;
}

Value f_float(Interpreter&, const Value& v, ArgReader& a) {
  const Value fallback = a.get_or(0, "default", Value::real(0.0));
  if (v.is_number()) return Value::real(v.as_double());
  if (!v.is_string()) return fallback;
  std::string s = py_strip(v.text(), std::nullopt, true, true);
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  if (s.empty()) return fallback;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  return end && *end == '\0' ? Value::real(d) : fallback;
}

Value f_center(Interpreter&, const Value& v, ArgReader& a) {
  const std::string s = to_str(v);
  const int64_t width = int_arg(a, 0, "width", 80);
  const auto n = static_cast<int64_t>(count_code_points(s));
  if (width <= n) return Value::string(s);
  if (width > static_cast<int64_t>(kMaxStringBytes)) throw std::runtime_error("center width too large");
  const int64_t margin = width - n;
  const int64_t left = margin / 2 + (margin & width & 1);
  return Value::string(std::string(static_cast<size_t>(left), ' ') + s + std::string(static_cast<size_t>(margin - left), ' '));
}

Value f_indent(Interpreter&, const Value& v, ArgReader& a) {
  const auto width = a.get(0, "width");
  std::string indention = "    ";
  if (width && width->is_string()) indention = width->text();
  else if (width) {
    const int64_t w = width->as_int();
    if (w > 1024) throw std::runtime_error("indent width too large");
    indention = std::string(static_cast<size_t>(std::max<int64_t>(w, 0)), ' ');
  }
  const bool first = bool_arg(a, 1, "first", false);
  const bool blank = bool_arg(a, 2, "blank", false);
  const std::vector<std::string> lines = py_splitlines(to_str(v) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    if (i > 0 && (blank || !lines[i].empty())) out += indention;
    out += lines[i];
    if (out.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
  }
  if (first) out = indention + out;
  return Value::string(std::move(out));
}

Value f_wordcount(Interpreter&, const Value& v, ArgReader&) {
  int64_t words = 0;
  bool in_word = false;
  for (char32_t c : decode_utf8(to_str(v))) {
    const bool word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                      (c >= 0xAA && !is_py_space(c));
    words += word && !in_word;
    in_word = word;
  }
  return Value::integer(words);
}

Value f_batch(Interpreter&, const Value& v, ArgReader& a) {
  const int64_t size = int_arg(a, 0, "linecount", 1);
  const auto fill = a.get(1, "fill_with");
  if (size <= 0) throw std::runtime_error("batch size must be positive");
  List out, row;
  for (const Value& item : iterate(v)) {
    row.push_back(item);
    if (static_cast<int64_t>(row.size()) == size) out.push_back(Value::list(std::move(row))), row.clear();
  }
  if (!row.empty()) {
    if (fill && !fill->is_none())
      while (static_cast<int64_t>(row.size()) < size) row.push_back(*fill);
    out.push_back(Value::list(std::move(row)));
  }
  return Value::list(std::move(out));
}

Value f_tojson(Interpreter&, const Value& v, ArgReader& a) {
  JsonDumpOptions o;
  o.ensure_ascii = bool_arg(a, 0, "ensure_ascii", false);
  const auto indent = a.get(1, "indent");
  if (indent && indent->is_string()) o.indent = indent->text();
  else if (indent && !indent->is_none()) {
    const int64_t n = indent->as_int();
    if (n > 1024) throw std::runtime_error("tojson indent too large");
    o.indent = std::string(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
  }
  const auto separators = a.get(2, "separators");
  if (separators && !separators->is_none()) {
    const List seps = iterate(*separators);
    if (seps.size() != 2 || !seps[0].is_string() || !seps[1].is_string()) throw std::runtime_error("separators must be two strings");
    o.item_separator = seps[0].text();
    o.key_separator = seps[1].text();
  }
  o.sort_keys = bool_arg(a, 3, "sort_keys", false);
  std::string out = json_dump(v, o);
  if (out.size() > kMaxStringBytes) throw std::runtime_error("string result exceeds 16 MiB");
  return Value::string(std::move(out));
}

// select/reject/selectattr/rejectattr: the remaining arguments name a test and its args.
Value select_items(Interpreter& in, const Value& v, CallArgs& args, bool by_attribute, bool keep) {
  if (by_attribute && args.positional.empty()) throw std::runtime_error("selectattr/rejectattr need an attribute name");
  const std::string attribute = by_attribute ? to_str(args.positional[0]) : "";
  const size_t test_at = by_attribute ? 1 : 0;
  std::string test;
  CallArgs test_args;
  if (args.positional.size() > test_at) {
    test = to_str(args.positional[test_at]);
    test_args.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(test_at) + 1, args.positional.end());
    test_args.named = args.named;
  }
  List out;
  for (const Value& item : iterate(v)) {
    in.charge();
    const Value subject = by_attribute ? attribute_path(item, attribute) : item;
    CallArgs per_item = test_args;
    const bool passed = test.empty() ? subject.truthy() : apply_test(in, test, subject, per_item);
    if (passed == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value map_items(Interpreter& in, const Value& v, CallArgs& args) {
  List out;
  for (const auto& [k, value] : args.named) {
    if (k != "attribute") continue;
    Value fallback;
    for (const auto& [k2, d] : args.named)
      if (k2 == "default") fallback = d;
    for (const Value& item : iterate(v)) {
      Value x = attribute_path(item, to_str(value));
      out.push_back(x.is_undefined() && !fallback.is_undefined() ? fallback : x);
    }
    return Value::list(std::move(out));
  }
  if (args.positional.empty()) throw std::runtime_error("map requires a filter argument");
  const std::string filter = to_str(args.positional[0]);
  for (const Value& item : iterate(v)) {
    in.charge();
    CallArgs rest;
    rest.positional.assign(args.positional.begin() + 1, args.positional.end());
    rest.named = args.named;
    out.push_back(apply_filter(in, filter, item, rest));
  }
  return Value::list(std::move(out));
}

const std::map<std::string, FilterFn>& simple_filters() {
  static const std::map<std::string, FilterFn> filters = {
      {"abs", f_abs},         {"batch", f_batch},       {"capitalize", f_capitalize}, {"center", f_center},
      {"count", f_length},    {"d", f_default},         {"default", f_default},       {"dictsort", f_dictsort},
      {"e", f_escape},        {"escape", f_escape},     {"first", f_first},           {"float", f_float},
      {"indent", f_indent},   {"int", f_int},           {"items", f_items},           {"join", f_join},
      {"last", f_last},       {"length", f_length},     {"list", f_list},             {"lower", f_lower},
      {"max", f_max},         {"min", f_min},           {"replace", f_replace},       {"reverse", f_reverse},
      {"round", f_round},     {"safe", f_safe},         {"sort", f_sort},             {"string", f_string},
      {"sum", f_sum},         {"title", f_title},       {"tojson", f_tojson},         {"trim", f_trim},
      {"unique", f_unique},   {"upper", f_upper},       {"wordcount", f_wordcount},
  };
  return filters;
}

}  // namespace

bool has_filter(const std::string& name) {
  return simple_filters().count(name) || name == "map" || name == "select" || name == "reject" ||
         name == "selectattr" || name == "rejectattr";
}

Value apply_filter(Interpreter& in, const std::string& name, const Value& subject, CallArgs& args) {
  in.charge();
  if (name == "map") return map_items(in, subject, args);
  if (name == "select" || name == "reject") return select_items(in, subject, args, false, name == "select");
  if (name == "selectattr" || name == "rejectattr") return select_items(in, subject, args, true, name == "selectattr");
  const auto it = simple_filters().find(name);
  if (it == simple_filters().end()) throw std::runtime_error("no filter named '" + name + "'");
  ArgReader reader(name, args);
  Value result = it->second(in, subject, reader);
  reader.finish();
  return result;
}

}  // namespace vkmoe::jinja
