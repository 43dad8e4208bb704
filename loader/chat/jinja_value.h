#pragma once
// The values a chat template computes with, shaped after the Python objects jinja2 sees:
// undefined (jinja2's default Undefined), None, bool, int, float, str, list, tuple, dict
// (insertion-ordered), namespace (the one mutable object a sandboxed template may change)
// and callables (macros, globals, bound methods). Lists and dicts are shared, never
// mutated after construction, because the immutable sandbox forbids it.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace vkmoe::jinja {

class Value;
class Interpreter;
using List = std::vector<Value>;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
};

struct Callable {
  std::string name;
  std::function<Value(Interpreter&, CallArgs&)> fn;
};

enum class Kind : uint8_t { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kTuple, kDict, kNamespace, kCallable };

class Value {
 public:
  Value() = default;  // undefined
  Value(const Value&) = default;
  Value(Value&&) noexcept = default;
  Value& operator=(const Value&) = default;
  Value& operator=(Value&&) noexcept = default;
  // Releases nested lists and dicts iteratively: a template can build values nested far
  // deeper than the stack could unwind recursively.
  ~Value();
  static Value undefined(std::string hint) { Value v; v.text_ = std::move(hint); return v; }
  static Value none() { Value v; v.kind_ = Kind::kNone; return v; }
  static Value boolean(bool b) { Value v; v.kind_ = Kind::kBool; v.int_ = b; return v; }
  static Value integer(int64_t i) { Value v; v.kind_ = Kind::kInt; v.int_ = i; return v; }
  static Value real(double f) { Value v; v.kind_ = Kind::kFloat; v.real_ = f; return v; }
  static Value string(std::string s) { Value v; v.kind_ = Kind::kString; v.text_ = std::move(s); return v; }
  static Value list(List items);
  static Value tuple(List items);
  static Value dict();
  static Value namespace_object();
  static Value callable(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn);
  static Value from_json(const nlohmann::ordered_json& j);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool; }
  bool is_sequence() const { return kind_ == Kind::kList || kind_ == Kind::kTuple; }
  bool is_dict() const { return kind_ == Kind::kDict; }

  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }  // int or bool
  double as_double() const { return kind_ == Kind::kFloat ? real_ : static_cast<double>(int_); }
  const std::string& text() const { return text_; }  // string, or undefined's hint
  const List& items() const { return *list_; }
  const Callable& function() const { return *fn_; }

  // Dict and namespace entries in insertion order; keys are Values for dicts, strings for
  // namespaces.
  const std::vector<std::pair<Value, Value>>& entries() const { return dict_->entries; }
  const Value* find(const Value& key) const;
  void set_entry(const Value& key, Value value);  // dict under construction, or namespace
  void set_entry_at(size_t index, Value value) { dict_->entries[index].second = std::move(value); }

  bool truthy() const;
  bool same_object(const Value& other) const;
  // Whether `target` (a namespace) can be reached from this value: storing such a value
  // in the namespace would make a reference cycle that is never freed.
  bool reaches(const Value& target) const;

 private:
  struct Dict {
    std::vector<std::pair<Value, Value>> entries;
  };
  Kind kind_ = Kind::kUndefined;
  bool holds_namespace_ = false;  // is or contains a namespace: only those can form cycles
  int64_t int_ = 0;
  double real_ = 0;
  std::string text_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<Callable> fn_;
};

// Python ==, with 1 == 1.0 == True and containers compared element by element.
bool values_equal(const Value& a, const Value& b);
// str(value) as jinja2 prints it: None → "None", undefined → "", lists as Python's repr.
std::string to_str(const Value& v);
std::string to_repr(const Value& v);
const char* type_name(const Value& v);  // Python's type name, for error messages

}  // namespace vkmoe::jinja
