#include <algorithm>
#include <stdexcept>

#include "loader/chat/jinja_builtins.h"

namespace vkmoe::jinja {

std::optional<Value> ArgReader::get(size_t position, const char* name) {
  names_used_.emplace_back(name);
  for (const auto& [k, v] : args_.named)
    if (k == name) return v;
  if (position < args_.positional.size()) {
    positional_used_ = std::max(positional_used_, position + 1);
    return args_.positional[position];
  }
  return std::nullopt;
}

Value ArgReader::get_or(size_t position, const char* name, Value fallback) {
  std::optional<Value> v = get(position, name);
  return v ? *v : fallback;
}

void ArgReader::finish() const {
  if (args_.positional.size() > positional_used_)
    throw std::runtime_error(fn_ + "() got " + std::to_string(args_.positional.size()) + " positional arguments, expected at most " +
                             std::to_string(positional_used_));
  for (const auto& [k, v] : args_.named)
    if (std::find(names_used_.begin(), names_used_.end(), k) == names_used_.end())
      throw std::runtime_error(fn_ + "() got an unexpected keyword argument '" + k + "'");
}

}  // namespace vkmoe::jinja
