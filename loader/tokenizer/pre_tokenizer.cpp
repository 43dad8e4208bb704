#include "loader/tokenizer/pre_tokenizer.h"

#include "loader/base/error.h"
#include "loader/tokenizer/byte_level.h"
#include "loader/tokenizer/unicode_chars.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {

const char* const kGpt2PreTokenizerRegex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// The library's Whitespace pre-tokenizer keeps the matches of this regex and drops the rest.
const char* const kWordsOrSymbolsRegex = R"(\w+|[^\w\s]+)";

SplitBehavior read_behavior(const Json& json, const std::string& where) {
  const std::string name = json_string(json, where);
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  throw Error(ErrorCode::kUnsupported, where + ": split behavior '" + name + "' is not supported");
}

std::string to_byte_alphabet(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) utf8_append(out, byte_to_codepoint(static_cast<uint8_t>(c)));
  return out;
}

bool is_space_char(char32_t c) { return c == U' '; }

}  // namespace

PreTokenizer PreTokenizer::from_json(const Json& json, const std::string& where) {
  PreTokenizer p;
  p.add(json, where);
  return p;
}

PreTokenizer PreTokenizer::byte_level_with_regexes(const std::vector<std::string>& regexes, const std::string& where) {
  PreTokenizer p;
  for (const std::string& r : regexes) {
    p.steps_.emplace_back(Split{SplitPattern::regex(r, where), SplitBehavior::kIsolated, false});
    p.regexes_.push_back(r);
  }
  p.steps_.emplace_back(ByteLevel{false, false});
  p.byte_level_ = true;
  return p;
}

void PreTokenizer::add(const Json& json, const std::string& where) {
  if (json.is_null()) return;
  json_expect(json, Json::value_t::object, where);
  const std::string type = json_string(json_member(json, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(json, "pretokenizers", where);
    json_expect(list, Json::value_t::array, where + ".pretokenizers");
    for (size_t i = 0; i < list.size(); ++i) add(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
  } else if (type == "Split") {
    const Json& pattern = json_member(json, "pattern", where);
    if (pattern.is_object() && pattern.contains("Regex")) {
      regexes_.push_back(json_string(pattern["Regex"], where + ".pattern.Regex"));
    }
    steps_.emplace_back(Split{read_split_pattern(pattern, where + ".pattern"),
                              read_behavior(json_member(json, "behavior", where), where + ".behavior"),
                              json_optional_bool(json, "invert", false, where)});
  } else if (type == "ByteLevel") {
    const bool use_regex = json_optional_bool(json, "use_regex", true, where);
    if (use_regex) regexes_.push_back(kGpt2PreTokenizerRegex);
    steps_.emplace_back(ByteLevel{json_optional_bool(json, "add_prefix_space", true, where), use_regex});
    byte_level_ = true;
  } else if (type == "Metaspace") {
    std::string replacement = "\xE2\x96\x81";  // '▁'
    if (const auto r = json.find("replacement"); r != json.end()) {
      replacement = json_string(*r, where + ".replacement");
      if (replacement.empty() || utf8_decode(replacement, 0).length != replacement.size()) {
        throw Error(ErrorCode::kInvalidFile, where + ".replacement '" + replacement + "' is not one character");
      }
    }
    Metaspace m{replacement, SplitPattern::literal(replacement, where + ".replacement"), Prepend::kAlways,
                json_optional_bool(json, "split", true, where)};
    if (const auto s = json.find("prepend_scheme"); s != json.end()) {
      const std::string scheme = json_string(*s, where + ".prepend_scheme");
      if (scheme == "always") m.prepend = Prepend::kAlways;
      else if (scheme == "first") m.prepend = Prepend::kFirst;
      else if (scheme == "never") m.prepend = Prepend::kNever;
      else throw Error(ErrorCode::kUnsupported, where + ".prepend_scheme '" + scheme + "' is not supported");
    } else if (!json_optional_bool(json, "add_prefix_space", true, where)) {
      m.prepend = Prepend::kNever;
    }
    steps_.emplace_back(std::move(m));
  } else if (type == "Whitespace") {
    steps_.emplace_back(Split{SplitPattern::regex(kWordsOrSymbolsRegex, where), SplitBehavior::kRemoved, true});
  } else if (type == "WhitespaceSplit") {
    steps_.emplace_back(Split{SplitPattern::chars(is_whitespace), SplitBehavior::kRemoved, false});
  } else if (type == "Punctuation") {
    const auto b = json.find("behavior");
    steps_.emplace_back(Split{SplitPattern::chars(is_punctuation),
                              b == json.end() ? SplitBehavior::kIsolated : read_behavior(*b, where + ".behavior"), false});
  } else if (type == "Digits") {
    const bool individual = json_optional_bool(json, "individual_digits", false, where);
    steps_.emplace_back(Split{SplitPattern::chars(is_numeric), individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous, false});
  } else if (type == "CharDelimiterSplit") {
    const std::string delimiter = json_string(json_member(json, "delimiter", where), where + ".delimiter");
    if (delimiter.empty() || utf8_decode(delimiter, 0).length != delimiter.size()) {
      throw Error(ErrorCode::kInvalidFile, where + ".delimiter '" + delimiter + "' is not one character");
    }
    steps_.emplace_back(Split{SplitPattern::literal(delimiter, where + ".delimiter"), SplitBehavior::kRemoved, false});
  } else if (type == "BertPreTokenizer") {
    steps_.emplace_back(Split{SplitPattern::chars(is_whitespace), SplitBehavior::kRemoved, false});
    steps_.emplace_back(Split{SplitPattern::chars(is_punctuation), SplitBehavior::kIsolated, false});
  } else {
    throw Error(ErrorCode::kUnsupported, where + ": pre-tokenizer '" + type + "' is not supported");
  }
}

void PreTokenizer::split(std::string text, bool at_text_start, std::vector<std::string>& out) const {
  std::vector<Piece> pieces;
  if (!text.empty()) pieces.push_back({std::move(text), at_text_start});
  for (const Step& step : steps_) apply(step, pieces);
  for (Piece& p : pieces) out.push_back(std::move(p.text));
}

void PreTokenizer::apply(const Step& step, std::vector<Piece>& pieces) const {
  std::vector<Piece> next;
  next.reserve(pieces.size());
  // Cuts `piece` as `pattern` and `behavior` say, dropping empty pieces as the library does.
  const auto cut = [&](const Piece& piece, const SplitPattern& pattern, SplitBehavior behavior, bool invert) {
    for (const TextSpan& s : split_spans(pattern.find(piece.text, invert), behavior)) {
      if (s.begin == s.end) continue;
      next.push_back({piece.text.substr(s.begin, s.end - s.begin), piece.at_text_start && s.begin == 0});
    }
  };
  if (const auto* split = std::get_if<Split>(&step)) {
    for (const Piece& piece : pieces) cut(piece, split->pattern, split->behavior, split->invert);
  } else if (const auto* byte_level = std::get_if<ByteLevel>(&step)) {
    static const SplitPattern gpt2 = SplitPattern::regex(kGpt2PreTokenizerRegex, "ByteLevel");
    for (Piece& piece : pieces) {
      if (byte_level->add_prefix_space && piece.text[0] != ' ') piece.text.insert(0, " ");
      if (byte_level->use_regex) {
        cut(piece, gpt2, SplitBehavior::kIsolated, false);
      } else {
        next.push_back(std::move(piece));
      }
    }
    for (Piece& piece : next) piece.text = to_byte_alphabet(piece.text);
  } else if (const auto* meta = std::get_if<Metaspace>(&step)) {
    static const SplitPattern space = SplitPattern::chars(is_space_char);
    for (Piece& piece : pieces) {
      piece.text = replace_matches(piece.text, space, meta->replacement);
      const bool starts_with_marker = piece.text.compare(0, meta->replacement.size(), meta->replacement) == 0;
      if (!starts_with_marker && (meta->prepend == Prepend::kAlways || (meta->prepend == Prepend::kFirst && piece.at_text_start))) {
        piece.text.insert(0, meta->replacement);
      }
      if (meta->split) {
        cut(piece, meta->marker, SplitBehavior::kMergedWithNext, false);
      } else {
        next.push_back(std::move(piece));
      }
    }
  }
  pieces.swap(next);
}

}  // namespace vkmoe
