#include "loader/tokenizer/decoder.h"

#include "loader/base/error.h"
#include "loader/tokenizer/byte_fallback.h"
#include "loader/tokenizer/byte_level.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

size_t optional_count(const Json& json, const char* key, const std::string& where) {
  const auto it = json.find(key);
  if (it == json.end() || it->is_null()) return 0;
  const int64_t n = json_int(*it, where + "." + key);
  if (n < 0) throw Error(ErrorCode::kInvalidFile, where + "." + key + " is negative");
  return static_cast<size_t>(n);
}

std::vector<std::string> decode_byte_level(std::vector<std::string> tokens) {
  std::string bytes;
  for (const std::string& t : tokens) {
    // A token outside the alphabet (an added token with a space, say) stands for itself.
    std::string mapped;
    bool all_mapped = true;
    for (size_t pos = 0; pos < t.size() && all_mapped;) {
      const Utf8Char c = utf8_decode(t, pos);
      const int b = codepoint_to_byte(c.cp);
      all_mapped = b >= 0;
      mapped += static_cast<char>(b);
      pos += c.length;
    }
    bytes += all_mapped ? mapped : t;
  }
  return {utf8_sanitize(bytes)};
}

std::vector<std::string> decode_byte_fallback(std::vector<std::string> tokens) {
  std::vector<std::string> out;
  std::string pending;  // bytes of consecutive <0xXX> tokens
  size_t pending_tokens = 0;
  const auto flush = [&] {
    if (pending_tokens == 0) return;
    if (utf8_is_valid(pending)) {
      out.push_back(pending);
    } else {
      for (size_t i = 0; i < pending_tokens; ++i) out.push_back(kReplacement);
    }
    pending.clear();
    pending_tokens = 0;
  };
  for (std::string& t : tokens) {
    const int byte = byte_fallback_value(t);
    if (byte >= 0) {
      pending += static_cast<char>(byte);
      ++pending_tokens;
    } else {
      flush();
      out.push_back(std::move(t));
    }
  }
  flush();
  return out;
}

std::string strip_token(const std::string& token, char32_t content, size_t start, size_t stop) {
  std::vector<std::pair<size_t, size_t>> chars;  // byte offset and length of each character
  for (size_t pos = 0; pos < token.size();) {
    const size_t len = utf8_decode(token, pos).length;
    chars.emplace_back(pos, len);
    pos += len;
  }
  const auto is_content = [&](size_t i) { return utf8_decode(token, chars[i].first).cp == content; };
  size_t first = 0;
  while (first < start && first < chars.size() && is_content(first)) ++first;
  size_t last = chars.size();
  for (size_t i = 0; i < stop && last > first && is_content(last - 1); ++i) --last;
  if (first >= last) return {};
  const size_t begin = chars[first].first;
  const size_t end = chars[last - 1].first + chars[last - 1].second;
  return token.substr(begin, end - begin);
}

}  // namespace

Decoder Decoder::from_json(const Json& json, const std::string& where) {
  Decoder d;
  d.add(json, where);
  return d;
}

Decoder Decoder::gpt2_bytes() {
  Decoder d;
  d.steps_.emplace_back(ByteLevel{});
  d.present_ = true;
  return d;
}

void Decoder::add(const Json& json, const std::string& where) {
  if (json.is_null()) return;
  json_expect(json, Json::value_t::object, where);
  present_ = true;
  const std::string type = json_string(json_member(json, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(json, "decoders", where);
    json_expect(list, Json::value_t::array, where + ".decoders");
    for (size_t i = 0; i < list.size(); ++i) add(list[i], where + ".decoders[" + std::to_string(i) + "]");
  } else if (type == "ByteLevel") {
    steps_.emplace_back(ByteLevel{});
  } else if (type == "ByteFallback") {
    steps_.emplace_back(ByteFallback{});
  } else if (type == "Fuse") {
    steps_.emplace_back(Fuse{});
  } else if (type == "Metaspace") {
    Metaspace m{"\xE2\x96\x81", true};
    if (const auto r = json.find("replacement"); r != json.end()) m.replacement = json_string(*r, where + ".replacement");
    if (const auto s = json.find("prepend_scheme"); s != json.end()) {
      m.strip_first = json_string(*s, where + ".prepend_scheme") != "never";
    } else if (const auto a = json.find("add_prefix_space"); a != json.end()) {
      m.strip_first = json_bool(*a, where + ".add_prefix_space");
    }
    steps_.emplace_back(std::move(m));
  } else if (type == "Strip") {
    const std::string content = json_string(json_member(json, "content", where), where + ".content");
    if (content.empty() || utf8_decode(content, 0).length != content.size()) {
      throw Error(ErrorCode::kInvalidFile, where + ".content '" + content + "' is not one character");
    }
    steps_.emplace_back(Strip{utf8_decode(content, 0).cp, optional_count(json, "start", where), optional_count(json, "stop", where)});
  } else if (type == "Replace") {
    steps_.emplace_back(Replace{read_split_pattern(json_member(json, "pattern", where), where + ".pattern"),
                                json_string(json_member(json, "content", where), where + ".content")});
  } else {
    throw Error(ErrorCode::kUnsupported, where + ": decoder '" + type + "' is not supported");
  }
}

bool Decoder::maps_bytes() const {
  for (const Step& step : steps_) {
    if (std::holds_alternative<ByteLevel>(step)) return true;
  }
  return false;
}

std::string Decoder::decode(std::vector<std::string> tokens) const {
  if (!present_) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  for (const Step& step : steps_) {
    if (std::holds_alternative<ByteLevel>(step)) {
      tokens = decode_byte_level(std::move(tokens));
    } else if (std::holds_alternative<ByteFallback>(step)) {
      tokens = decode_byte_fallback(std::move(tokens));
    } else if (std::holds_alternative<Fuse>(step)) {
      std::string fused;
      for (const std::string& t : tokens) fused += t;
      tokens = {fused};
    } else if (const auto* meta = std::get_if<Metaspace>(&step)) {
      for (size_t i = 0; i < tokens.size(); ++i) {
        std::string out;
        for (size_t pos = 0; pos < tokens[i].size();) {
          const size_t len = utf8_decode(tokens[i], pos).length;
          if (tokens[i].compare(pos, len, meta->replacement) != 0) {
            out.append(tokens[i], pos, len);
          } else if (i != 0 || !meta->strip_first) {
            out += ' ';
          }
          pos += len;
        }
        tokens[i] = std::move(out);
      }
    } else if (const auto* strip = std::get_if<Strip>(&step)) {
      for (std::string& t : tokens) t = strip_token(t, strip->content, strip->start, strip->stop);
    } else if (const auto* replace = std::get_if<Replace>(&step)) {
      for (std::string& t : tokens) t = replace_matches(t, replace->pattern, replace->content);
    }
  }
  std::string text;
  for (const std::string& t : tokens) text += t;
  return text;
}

}  // namespace vkmoe
