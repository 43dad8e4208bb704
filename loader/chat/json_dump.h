#pragma once
// Python's json.dumps, as transformers' `tojson` filter calls it: ensure_ascii=False by
// default, optional indent (a count of spaces or a string), caller-chosen separators and
// sort_keys. Byte-exact with CPython so rendered prompts match the reference tokenization.
#include <optional>
#include <string>

#include "loader/chat/jinja_value.h"

namespace vkmoe::jinja {

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // absent: one line
  std::optional<std::string> item_separator;  // default ", " (one line) or "," (indented)
  std::string key_separator = ": ";
  bool sort_keys = false;
};

std::string json_dump(const Value& v, const JsonDumpOptions& options);

}  // namespace vkmoe::jinja
