#include "loader/chat/json_dump.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

constexpr int kMaxDepth = 256;

void append_hex4(std::string& out, unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\u%04x", v);
  out += buf;
}

void append_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  const std::u32string cps = decode_utf8(s);
  for (char32_t c : cps) {
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (c < 0x20 || (ensure_ascii && c >= 0x7F)) {
      if (c >= 0x10000) {
        const char32_t v = c - 0x10000;
        append_hex4(out, 0xD800 | (v >> 10));
        append_hex4(out, 0xDC00 | (v & 0x3FF));
      } else {
        append_hex4(out, c);
      }
      continue;
    }
    append_utf8(out, c);
  }
  out += '"';
}

std::string float_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return py_float_repr(v);
}

std::string key_text(const Value& k) {
  switch (k.kind()) {
    case Kind::kString: return k.text();
    case Kind::kBool: return k.as_bool() ? "true" : "false";
    case Kind::kNone: return "null";
    case Kind::kInt: return std::to_string(k.as_int());
    case Kind::kFloat: return float_text(k.as_double());
    default: throw std::runtime_error(std::string("keys must be str, int, float, bool or None, not ") + type_name(k));
  }
}

class Dumper {
 public:
  explicit Dumper(const JsonDumpOptions& o) : o_(o) {
    item_sep_ = o.item_separator ? *o.item_separator : (o.indent ? "," : ", ");
  }

  void dump(std::string& out, const Value& v, int depth) {
    if (depth > kMaxDepth) throw std::runtime_error("tojson: value nested too deeply");
    switch (v.kind()) {
      case Kind::kNone: out += "null"; return;
      case Kind::kBool: out += v.as_bool() ? "true" : "false"; return;
      case Kind::kInt: out += std::to_string(v.as_int()); return;
      case Kind::kFloat: out += float_text(v.as_double()); return;
      case Kind::kString: append_string(out, v.text(), o_.ensure_ascii); return;
      case Kind::kList:
      case Kind::kTuple: {
        if (v.items().empty()) {
          out += "[]";
          return;
        }
        out += '[';
        for (size_t i = 0; i < v.items().size(); ++i) {
          out += i ? item_sep_ : "";
          newline(out, depth + 1);
          dump(out, v.items()[i], depth + 1);
        }
        newline(out, depth);
        out += ']';
        return;
      }
      case Kind::kDict: {
        if (v.entries().empty()) {
          out += "{}";
          return;
        }
        std::vector<std::pair<std::string, const Value*>> entries;
        for (const auto& [k, e] : v.entries()) entries.emplace_back(key_text(k), &e);
        if (o_.sort_keys)
          std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        out += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
          out += i ? item_sep_ : "";
          newline(out, depth + 1);
          append_string(out, entries[i].first, o_.ensure_ascii);
          out += o_.key_separator;
          dump(out, *entries[i].second, depth + 1);
        }
        newline(out, depth);
        out += '}';
        return;
      }
      default: throw std::runtime_error(std::string("Object of type ") + type_name(v) + " is not JSON serializable");
    }
  }

 private:
  void newline(std::string& out, int level) const {
    if (!o_.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *o_.indent;
  }

  const JsonDumpOptions& o_;
  std::string item_sep_;
};

}  // namespace

std::string json_dump(const Value& v, const JsonDumpOptions& options) {
  std::string out;
  Dumper(options).dump(out, v, 0);
  return out;
}

}  // namespace vkmoe::jinja
