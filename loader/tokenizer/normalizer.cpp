#include "loader/tokenizer/normalizer.h"

#include "loader/base/error.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

// Bytes of the leading (trailing) run of whitespace characters in `text`.
size_t leading_space(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const Utf8Char c = utf8_decode(text, pos);
    if (!is_whitespace(c.cp)) break;
    pos += c.length;
  }
  return pos;
}

size_t trailing_space_start(std::string_view text) {
  size_t keep = 0;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    pos += c.length;
    if (!is_whitespace(c.cp)) keep = pos;
  }
  return keep;
}

std::string without_marks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    if (!is_mark(c.cp)) out.append(text.substr(pos, c.length));
    pos += c.length;
  }
  return out;
}

bool optional_bool(const Json& json, const char* key, bool fallback, const std::string& where) {
  const auto it = json.find(key);
  return it == json.end() || it->is_null() ? fallback : json_bool(*it, where + "." + key);
}

}  // namespace

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

Normalizer Normalizer::from_json(const Json& json, const std::string& where) {
  Normalizer n;
  n.add(json, where);
  return n;
}

void Normalizer::add(const Json& json, const std::string& where) {
  if (json.is_null()) return;
  json_expect(json, Json::value_t::object, where);
  const std::string type = json_string(json_member(json, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(json, "normalizers", where);
    json_expect(list, Json::value_t::array, where + ".normalizers");
    for (size_t i = 0; i < list.size(); ++i) add(list[i], where + ".normalizers[" + std::to_string(i) + "]");
  } else if (type == "NFC") {
    steps_.emplace_back(UnicodeForm::kNfc);
  } else if (type == "NFD") {
    steps_.emplace_back(UnicodeForm::kNfd);
  } else if (type == "NFKC") {
    steps_.emplace_back(UnicodeForm::kNfkc);
  } else if (type == "NFKD") {
    steps_.emplace_back(UnicodeForm::kNfkd);
  } else if (type == "Lowercase") {
    steps_.emplace_back(Lowercase{});
  } else if (type == "StripAccents") {
    steps_.emplace_back(StripAccents{});
  } else if (type == "Strip") {
    steps_.emplace_back(Strip{optional_bool(json, "strip_left", true, where), optional_bool(json, "strip_right", true, where)});
  } else if (type == "Replace") {
    steps_.emplace_back(Replace{read_split_pattern(json_member(json, "pattern", where), where + ".pattern"),
                                json_string(json_member(json, "content", where), where + ".content")});
  } else if (type == "Prepend") {
    steps_.emplace_back(Prepend{json_string(json_member(json, "prepend", where), where + ".prepend")});
  } else {
    throw Error(ErrorCode::kUnsupported, where + ": normalizer '" + type + "' is not supported");
  }
}

void Normalizer::normalize(std::string& text) const {
  for (const Step& step : steps_) {
    if (const auto* form = std::get_if<UnicodeForm>(&step)) {
      text = normalize_unicode(text, *form);
    } else if (std::holds_alternative<Lowercase>(step)) {
      text = to_lowercase(text);
    } else if (std::holds_alternative<StripAccents>(step)) {
      text = without_marks(text);
    } else if (const auto* strip = std::get_if<Strip>(&step)) {
      if (strip->right) text.erase(trailing_space_start(text));
      if (strip->left) text.erase(0, leading_space(text));
    } else if (const auto* replace = std::get_if<Replace>(&step)) {
      text = replace_matches(text, replace->pattern, replace->content);
    } else if (const auto* prepend = std::get_if<Prepend>(&step)) {
      if (!text.empty()) text.insert(0, prepend->text);
    }
  }
}

}  // namespace vkmoe
