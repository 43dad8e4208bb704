#pragma once
// The library a template can reach: filters, tests, attribute and item access (with the
// bound methods of str, dict and list), operators, and the global functions. Each family
// lives in its own file; failures throw std::runtime_error, which the interpreter tags
// with the template line.
#include <optional>
#include <string>
#include <vector>

#include "loader/chat/jinja_value.h"

namespace vkmoe::jinja {

// Bounds that keep a hostile template from exhausting memory.
constexpr size_t kMaxStringBytes = 16u << 20;
constexpr size_t kMaxListItems = 1u << 20;

// Reads a builtin's arguments the way Python binds them: by position or by keyword.
class ArgReader {
 public:
  ArgReader(std::string function, CallArgs& args) : fn_(std::move(function)), args_(args) {}
  std::optional<Value> get(size_t position, const char* name);
  Value get_or(size_t position, const char* name, Value fallback);
  // Throws when an argument was given that no get() asked for.
  void finish() const;

 private:
  std::string fn_;
  CallArgs& args_;
  size_t positional_used_ = 0;
  std::vector<std::string> names_used_;
};

Value apply_filter(Interpreter& in, const std::string& name, const Value& subject, CallArgs& args);
bool apply_test(Interpreter& in, const std::string& name, const Value& subject, CallArgs& args);
bool has_filter(const std::string& name);
bool has_test(const std::string& name);

// jinja2's getattr/getitem: obj.name tries the attribute (a bound method for str, dict and
// list) before the item; obj[key] tries the item first. Missing → undefined.
Value get_attribute(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step);
Value bound_method(const Value& obj, const std::string& name);  // undefined when none

Value binary_op(const std::string& op, const Value& a, const Value& b);
Value unary_op(const std::string& op, const Value& a);
bool compare_op(const std::string& op, const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);
// Python's a < b for numbers, strings and sequences.
bool less_than(const Value& a, const Value& b);
// for-loop and filter iteration: list items, dict keys, string characters; undefined is
// empty; other types throw.
List iterate(const Value& v);

std::vector<std::pair<std::string, Value>> global_functions();

}  // namespace vkmoe::jinja
