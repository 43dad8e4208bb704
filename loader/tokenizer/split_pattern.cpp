#include "loader/tokenizer/split_pattern.h"

#include <algorithm>

#include "loader/base/error.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {

SplitPattern SplitPattern::regex(std::string_view pattern, const std::string& where) {
  SplitPattern p;
  p.regex_ = std::make_shared<const OnigRegex>(pattern, where);
  return p;
}

SplitPattern SplitPattern::literal(std::string_view text, const std::string& where) {
  // The characters Rust's regex::escape escapes, which the library applies before compiling.
  static const std::string_view kMeta = "\\.+*?()|[]{}^$#&-~";
  std::string escaped;
  for (char c : text) {
    if (kMeta.find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return regex(escaped, where);
}

SplitPattern SplitPattern::chars(bool (*test)(char32_t)) {
  SplitPattern p;
  p.test_ = test;
  return p;
}

std::vector<SplitMatch> SplitPattern::find(std::string_view text, bool invert) const {
  std::vector<SplitMatch> out;
  if (text.empty()) {
    out.push_back({{0, 0}, invert});
    return out;
  }
  size_t previous = 0;
  const auto add_match = [&](TextSpan m) {
    if (previous < m.begin) out.push_back({{previous, m.begin}, invert});
    out.push_back({m, !invert});
    previous = m.end;
  };
  if (regex_) {
    std::vector<TextSpan> found;
    regex_->find_all(text, found);
    for (const TextSpan& m : found) add_match(m);
  } else {
    for (size_t pos = 0; pos < text.size();) {
      const Utf8Char c = utf8_decode(text, pos);
      if (test_(c.cp)) add_match({pos, pos + c.length});
      pos += c.length;
    }
  }
  if (previous != text.size()) out.push_back({{previous, text.size()}, invert});
  return out;
}

SplitPattern read_split_pattern(const Json& json, const std::string& where) {
  json_expect(json, Json::value_t::object, where);
  if (const auto s = json.find("String"); s != json.end()) {
    return SplitPattern::literal(json_string(*s, where + ".String"), where + ".String");
  }
  if (const auto r = json.find("Regex"); r != json.end()) {
    return SplitPattern::regex(json_string(*r, where + ".Regex"), where + ".Regex");
  }
  throw Error(ErrorCode::kInvalidFile, where + " is neither {\"String\": ...} nor {\"Regex\": ...}");
}

std::vector<TextSpan> split_spans(std::vector<SplitMatch> matches, SplitBehavior behavior) {
  std::vector<TextSpan> out;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const SplitMatch& m : matches) out.push_back(m.span);
      break;
    case SplitBehavior::kRemoved:
      for (const SplitMatch& m : matches) {
        if (!m.is_match) out.push_back(m.span);
      }
      break;
    case SplitBehavior::kContiguous:
      // Runs of matches become one piece, and runs of non-matches another.
      for (const SplitMatch& m : matches) {
        if (!out.empty() && m.is_match == previous_match) {
          out.back().end = m.span.end;
        } else {
          out.push_back(m.span);
        }
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::kMergedWithPrevious:
      for (const SplitMatch& m : matches) {
        if (m.is_match && !previous_match && !out.empty()) {
          out.back().end = m.span.end;
        } else {
          out.push_back(m.span);
        }
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->is_match && !previous_match && !out.empty()) {
          out.back().begin = it->span.begin;
        } else {
          out.push_back(it->span);
        }
        previous_match = it->is_match;
      }
      std::reverse(out.begin(), out.end());
      break;
  }
  return out;
}

std::string replace_matches(std::string_view text, const SplitPattern& pattern, std::string_view content) {
  std::string out;
  out.reserve(text.size());
  for (const SplitMatch& m : pattern.find(text)) {
    if (m.is_match) {
      out.append(content);
    } else {
      out.append(text.substr(m.span.begin, m.span.end - m.span.begin));
    }
  }
  return out;
}

}  // namespace vkmoe
