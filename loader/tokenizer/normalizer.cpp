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

std::string without_marks(std::string_view text, bool nonspacing_only) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    if (!(nonspacing_only ? is_nonspacing_mark(c.cp) : is_mark(c.cp))) out.append(text.substr(pos, c.length));
    pos += c.length;
  }
  return out;
}

std::string bert_clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    const bool tab_or_newline = c.cp == '\t' || c.cp == '\n' || c.cp == '\r';
    // Dropped first (other controls, such as \v and \f, too), then whitespace becomes ' '.
    const bool dropped = c.cp == 0 || c.cp == kReplacementChar || (!tab_or_newline && is_other(c.cp));
    if (!dropped) {
      if (tab_or_newline || is_whitespace(c.cp)) {
        out += ' ';
      } else {
        out.append(text.substr(pos, c.length));
      }
    }
    pos += c.length;
  }
  return out;
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::string spaced_cjk(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    const bool cjk = is_cjk_ideograph(c.cp);
    if (cjk) out += ' ';
    out.append(text.substr(pos, c.length));
    if (cjk) out += ' ';
    pos += c.length;
  }
  return out;
}

}  // namespace

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
    steps_.emplace_back(StripAccents{false});
  } else if (type == "BertNormalizer") {
    const bool lowercase = json_optional_bool(json, "lowercase", true, where);
    if (json_optional_bool(json, "clean_text", true, where)) steps_.emplace_back(BertCleanText{});
    if (json_optional_bool(json, "handle_chinese_chars", true, where)) steps_.emplace_back(BertChineseChars{});
    if (json_optional_bool(json, "strip_accents", lowercase, where)) {
      steps_.emplace_back(UnicodeForm::kNfd);
      steps_.emplace_back(StripAccents{true});
    }
    if (lowercase) steps_.emplace_back(Lowercase{});
  } else if (type == "Strip") {
    steps_.emplace_back(Strip{json_optional_bool(json, "strip_left", true, where), json_optional_bool(json, "strip_right", true, where)});
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
    } else if (const auto* strip_accents = std::get_if<StripAccents>(&step)) {
      text = without_marks(text, strip_accents->nonspacing_only);
    } else if (std::holds_alternative<BertCleanText>(step)) {
      text = bert_clean_text(text);
    } else if (std::holds_alternative<BertChineseChars>(step)) {
      text = spaced_cjk(text);
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
