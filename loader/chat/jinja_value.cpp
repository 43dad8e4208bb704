#include "loader/chat/jinja_value.h"

#include <stdexcept>

#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

// Values nest through lists and dicts; printing or comparing them recurses, so nesting is
// bounded to keep a hostile template or messages file from exhausting the stack.
constexpr int kMaxNesting = 256;

void check_depth(int depth) {
  if (depth > kMaxNesting) throw std::runtime_error("value nested more than 256 levels deep");
}

}  // namespace

Value::~Value() {
  const bool own_list = list_ && list_.use_count() == 1;
  const bool own_dict = dict_ && dict_.use_count() == 1;
  if (!own_list && !own_dict) return;
  // The outermost destructor drains a queue; nested ones only hand their children to it.
  thread_local std::vector<Value>* queue = nullptr;
  std::vector<Value> local;
  const bool outermost = queue == nullptr;
  if (outermost) queue = &local;
  if (own_list) {
    for (Value& v : *list_) queue->push_back(std::move(v));
    list_->clear();
  }
  if (own_dict) {
    for (auto& [k, v] : dict_->entries) {
      queue->push_back(std::move(k));
      queue->push_back(std::move(v));
    }
    dict_->entries.clear();
  }
  if (!outermost) return;
  while (!local.empty()) {
    Value v = std::move(local.back());
    local.pop_back();
  }
  queue = nullptr;
}

Value Value::list(List items) {
  Value v;
  v.kind_ = Kind::kList;
  for (const Value& item : items) v.holds_namespace_ = v.holds_namespace_ || item.holds_namespace_;
  v.list_ = std::make_shared<List>(std::move(items));
  return v;
}

Value Value::tuple(List items) {
  Value v = list(std::move(items));
  v.kind_ = Kind::kTuple;
  return v;
}

Value Value::dict() {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::make_shared<Dict>();
  return v;
}

Value Value::namespace_object() {
  Value v = dict();
  v.kind_ = Kind::kNamespace;
  v.holds_namespace_ = true;
  return v;
}

Value Value::callable(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.fn_ = std::make_shared<Callable>(Callable{std::move(name), std::move(fn)});
  return v;
}

namespace {

Value from_json_at(const nlohmann::ordered_json& j, int depth) {
  check_depth(depth);
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::real(static_cast<double>(u));
      return Value::integer(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value::real(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value::string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json_at(e, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Value d = Value::dict();
      for (const auto& [k, e] : j.items()) d.set_entry(Value::string(k), from_json_at(e, depth + 1));
      return d;
    }
    default: return Value::none();
  }
}

}  // namespace

Value Value::from_json(const nlohmann::ordered_json& j) { return from_json_at(j, 0); }

const Value* Value::find(const Value& key) const {
  if (!dict_) return nullptr;
  for (const auto& [k, v] : dict_->entries)
    if (values_equal(k, key)) return &v;
  return nullptr;
}

void Value::set_entry(const Value& key, Value value) {
  holds_namespace_ = holds_namespace_ || value.holds_namespace_;
  for (auto& [k, v] : dict_->entries) {
    if (values_equal(k, key)) {
      v = std::move(value);
      return;
    }
  }
  dict_->entries.emplace_back(key, std::move(value));
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone: return false;
    case Kind::kBool:
    case Kind::kInt: return int_ != 0;
    case Kind::kFloat: return real_ != 0;
    case Kind::kString: return !text_.empty();
    case Kind::kList:
    case Kind::kTuple: return !list_->empty();
    case Kind::kDict: return !dict_->entries.empty();
    case Kind::kNamespace:
    case Kind::kCallable: return true;
  }
  return false;
}

bool Value::same_object(const Value& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kList:
    case Kind::kTuple: return list_ == other.list_;
    case Kind::kDict:
    case Kind::kNamespace: return dict_ == other.dict_;
    case Kind::kCallable: return fn_ == other.fn_;
    default: return values_equal(*this, other);
  }
}

bool Value::reaches(const Value& target) const {
  std::vector<const Value*> stack = {this};
  size_t visited = 0;
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    if (v->kind_ == Kind::kNamespace && v->dict_ == target.dict_) return true;
    if (!v->holds_namespace_) continue;
    if (++visited > (1u << 22)) throw std::runtime_error("value too large to store in a namespace");
    if (v->list_)
      for (const Value& item : *v->list_) stack.push_back(&item);
    if (v->dict_)
      for (const auto& [k, e] : v->dict_->entries) stack.push_back(&e);
  }
  return false;
}

namespace {

bool equal_at(const Value& a, const Value& b, int depth) {
  check_depth(depth);
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::kFloat || b.kind() == Kind::kFloat) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.is_sequence() && b.is_sequence()) {
    if (a.kind() != b.kind() || a.items().size() != b.items().size()) return false;
    for (size_t i = 0; i < a.items().size(); ++i)
      if (!equal_at(a.items()[i], b.items()[i], depth + 1)) return false;
    return true;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNone: return true;
    case Kind::kString: return a.text() == b.text();
    case Kind::kDict: {
      if (a.entries().size() != b.entries().size()) return false;
      for (const auto& [k, v] : a.entries()) {
        const Value* other = b.find(k);
        if (!other || !equal_at(v, *other, depth + 1)) return false;
      }
      return true;
    }
    default: return a.same_object(b);
  }
}

void append_repr(std::string& out, const Value& v, int depth);

void append_str(std::string& out, const Value& v, int depth) {
  switch (v.kind()) {
    case Kind::kUndefined: return;
    case Kind::kString: out += v.text(); return;
    default: append_repr(out, v, depth);
  }
}

void append_repr(std::string& out, const Value& v, int depth) {
  check_depth(depth);
  switch (v.kind()) {
    case Kind::kUndefined: return;
    case Kind::kNone: out += "None"; return;
    case Kind::kBool: out += v.as_bool() ? "True" : "False"; return;
    case Kind::kInt: out += std::to_string(v.as_int()); return;
    case Kind::kFloat: out += py_float_repr(v.as_double()); return;
    case Kind::kString: out += py_str_repr(v.text()); return;
    case Kind::kList:
    case Kind::kTuple: {
      const bool tuple = v.kind() == Kind::kTuple;
      out += tuple ? '(' : '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += ", ";
        append_repr(out, v.items()[i], depth + 1);
      }
      if (tuple && v.items().size() == 1) out += ',';
      out += tuple ? ')' : ']';
      return;
    }
    case Kind::kDict: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.entries()) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, k, depth + 1);
        out += ": ";
        append_repr(out, e, depth + 1);
      }
      out += '}';
      return;
    }
    case Kind::kNamespace: {
      out += "<Namespace {";
      bool first = true;
      for (const auto& [k, e] : v.entries()) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, k, depth + 1);
        out += ": ";
        append_repr(out, e, depth + 1);
      }
      out += "}>";
      return;
    }
    case Kind::kCallable: out += "<function " + v.function().name + ">"; return;
  }
}

}  // namespace

bool values_equal(const Value& a, const Value& b) { return equal_at(a, b, 0); }

std::string to_str(const Value& v) {
  if (v.is_string()) return v.text();
  std::string out;
  append_str(out, v, 0);
  return out;
}

std::string to_repr(const Value& v) {
  std::string out;
  append_repr(out, v, 0);
  return out;
}

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined: return "Undefined";
    case Kind::kNone: return "NoneType";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kString: return "str";
    case Kind::kList: return "list";
    case Kind::kTuple: return "tuple";
    case Kind::kDict: return "dict";
    case Kind::kNamespace: return "Namespace";
    case Kind::kCallable: return "function";
  }
  return "object";
}

}  // namespace vkmoe::jinja
