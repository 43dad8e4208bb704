#include "loader/chat/jinja_lexer.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "loader/chat/jinja_error.h"
#include "loader/chat/py_text.h"

namespace vkmoe::jinja {

namespace {

std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Python's \s on the text between the last newline and a tag: ASCII whitespace plus the
// Unicode spaces; \n cannot occur there.
bool all_whitespace(std::string_view s) {
  if (s.empty()) return false;
  for (char32_t c : decode_utf8(s))
    if (!is_py_space(c)) return false;
  return true;
}

std::string rstrip_whitespace(std::string_view s) { return py_strip(s, std::nullopt, false, true); }

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(normalize_newlines(source)) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      const size_t tag = find_tag(pos_);
      if (tag == std::string::npos) {
        emit_data(src_.substr(pos_), pos_);
        pos_ = src_.size();
        break;
      }
      const char kind = src_[tag + 1];  // '{', '%' or '#'
      size_t after = tag + 2;
      char sign = 0;
      if (after < src_.size() && (src_[after] == '-' || src_[after] == '+')) sign = src_[after++];
      std::string text = src_.substr(pos_, tag - pos_);
      if (sign == '-') {
        text = rstrip_whitespace(text);
      } else if (sign != '+' && kind != '{') {
        const size_t l_pos = text.rfind('\n') + 1;  // npos + 1 == 0
        if ((l_pos > 0 || line_starting_) && all_whitespace(std::string_view(text).substr(l_pos))) text.resize(l_pos);
      }
      emit_data(text, pos_);
      if (kind == '#') {
        lex_comment(tag, after);
      } else if (kind == '%' && lex_raw(tag, after)) {
        continue;
      } else {
        lex_tag(kind, tag, after);
      }
    }
    tokens_.push_back(Token{TokenType::kEnd, "", line_at(src_.size())});
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i)
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    return std::string::npos;
  }

  int line_at(size_t pos) {
    if (pos < line_pos_) line_pos_ = 0, line_ = 1;
    while (line_pos_ < pos && line_pos_ < src_.size()) line_ += src_[line_pos_++] == '\n';
    return line_;
  }

  [[noreturn]] void fail(size_t pos, const std::string& message) {
    throw TemplateError(ErrorKind::kSyntax, line_at(pos), message);
  }

  void emit_data(std::string text, size_t at) {
    if (!text.empty()) tokens_.push_back(Token{TokenType::kData, std::move(text), line_at(at)});
  }

  // After a tag closes: "-" eats all following whitespace, a plain block/comment end eats
  // one newline (trim_blocks).
  void finish_tag(size_t end, char sign, bool trim_newline) {
    if (sign == '-') {
      while (end < src_.size() && std::isspace(static_cast<unsigned char>(src_[end]))) ++end;
    } else if (sign != '+' && trim_newline && end < src_.size() && src_[end] == '\n') {
      ++end;
    }
    line_starting_ = end > 0 && src_[end - 1] == '\n';
    pos_ = end;
  }

  void lex_comment(size_t tag, size_t content) {
    const size_t close = src_.find("#}", content);
    if (close == std::string::npos) fail(tag, "missing end of comment tag");
    char sign = 0;
    if (close > content && (src_[close - 1] == '-' || src_[close - 1] == '+')) sign = src_[close - 1];
    finish_tag(close + 2, sign, true);
  }

  static size_t skip_spaces(const std::string& s, size_t i) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return i;
  }

  // "{% raw %}…{% endraw %}": the content is data, verbatim.
  bool lex_raw(size_t tag, size_t after) {
    size_t i = skip_spaces(src_, after);
    if (src_.compare(i, 3, "raw") != 0) return false;
    i = skip_spaces(src_, i + 3);
    char open_sign = 0;
    if (i < src_.size() && src_[i] == '-') open_sign = '-', ++i;
    if (src_.compare(i, 2, "%}") != 0) return false;
    size_t body = i + 2;
    if (open_sign == '-') body = skip_spaces(src_, body);
    for (size_t search = body;;) {
      const size_t end_tag = src_.find("{%", search);
      if (end_tag == std::string::npos) fail(tag, "missing end of raw directive");
      size_t j = end_tag + 2;
      char strip_before = 0;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) strip_before = src_[j++];
      j = skip_spaces(src_, j);
      if (src_.compare(j, 6, "endraw") != 0) {
        search = end_tag + 2;
        continue;
      }
      j = skip_spaces(src_, j + 6);
      char close_sign = 0;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) close_sign = src_[j++];
      if (src_.compare(j, 2, "%}") != 0) fail(end_tag, "malformed endraw tag");
      std::string text = src_.substr(body, end_tag - body);
      if (strip_before == '-') text = rstrip_whitespace(text);
      emit_data(text, body);
      finish_tag(j + 2, close_sign, true);
      return true;
    }
  }

  void lex_tag(char kind, size_t tag, size_t pos) {
    const bool block = kind == '%';
    tokens_.push_back(Token{block ? TokenType::kBlockBegin : TokenType::kVariableBegin, "", line_at(tag)});
    int depth = 0;  // open brackets: "}}" inside a dict literal does not close the tag
    while (true) {
      pos = skip_spaces(src_, pos);
      if (pos >= src_.size()) fail(tag, block ? "unexpected end of template, expected '%}'" : "unexpected end of template, expected '}}'");
      const char close = block ? '%' : '}';
      if (depth == 0) {
        char sign = 0;
        size_t p = pos;
        if ((src_[p] == '-' || (block && src_[p] == '+')) && src_.compare(p + 1, 2, std::string{close, '}'}) == 0)
          sign = src_[p++];
        if (src_.compare(p, 2, std::string{close, '}'}) == 0) {
          tokens_.push_back(Token{block ? TokenType::kBlockEnd : TokenType::kVariableEnd, "", line_at(p)});
          finish_tag(p + 2, sign, block);
          return;
        }
      }
      pos = lex_expression_token(pos, depth);
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Digits with single underscores between them, as Python allows: "1_000".
  size_t scan_digits(size_t i) const {
    if (i >= src_.size() || !is_digit(src_[i])) return i;
    while (i < src_.size() && (is_digit(src_[i]) || (src_[i] == '_' && i + 1 < src_.size() && is_digit(src_[i + 1])))) ++i;
    return i;
  }

  size_t lex_number(size_t start) {
    const int line = line_at(start);
    size_t i = scan_digits(start);
    bool is_float = false;
    const bool after_dot = start > 0 && src_[start - 1] == '.';
    if (!after_dot) {
      if (i + 1 < src_.size() && src_[i] == '.' && is_digit(src_[i + 1])) {
        i = scan_digits(i + 1);
        is_float = true;
      }
      if (i < src_.size() && (src_[i] == 'e' || src_[i] == 'E')) {
        size_t j = i + 1;
        if (j < src_.size() && (src_[j] == '+' || src_[j] == '-')) ++j;
        const size_t k = scan_digits(j);
        if (k > j) i = k, is_float = true;
      }
    }
    std::string text;
    for (size_t k = start; k < i; ++k)
      if (src_[k] != '_') text += src_[k];
    Token t{is_float ? TokenType::kFloat : TokenType::kInteger, text, line};
    if (is_float) {
      t.real = std::strtod(text.c_str(), nullptr);
    } else {
      errno = 0;
      t.integer = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) fail(start, "integer literal " + text + " is too large");
    }
    tokens_.push_back(std::move(t));
    return i;
  }

  size_t lex_string(size_t start) {
    const char quote = src_[start];
    std::string value;
    size_t i = start + 1;
    while (true) {
      if (i >= src_.size()) fail(start, "unterminated string literal");
      const char c = src_[i];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) fail(start, "unterminated string literal");
      i = decode_escape(i, value);
    }
    tokens_.push_back(Token{TokenType::kString, std::move(value), line_at(start)});
    return i + 1;
  }

  // Python's "unicode-escape" decoding of one backslash sequence at src_[i]; unknown
  // escapes stay as written.
  size_t decode_escape(size_t i, std::string& out) {
    const char e = src_[i + 1];
    auto hex = [&](size_t from, int n) -> long {
      if (from + n > src_.size()) return -1;
      long v = 0;
      for (int k = 0; k < n; ++k) {
        const char h = src_[from + k];
        if (!std::isxdigit(static_cast<unsigned char>(h))) return -1;
        v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
      }
      return v;
    };
    switch (e) {
      case '\n': return i + 2;
      case '\\': out += '\\'; return i + 2;
      case '\'': out += '\''; return i + 2;
      case '"': out += '"'; return i + 2;
      case 'a': out += '\a'; return i + 2;
      case 'b': out += '\b'; return i + 2;
      case 'f': out += '\f'; return i + 2;
      case 'n': out += '\n'; return i + 2;
      case 'r': out += '\r'; return i + 2;
      case 't': out += '\t'; return i + 2;
      case 'v': out += '\v'; return i + 2;
      case 'x':
      case 'u':
      case 'U': {
        const int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        const long v = hex(i + 2, n);
        if (v < 0 || v > 0x10FFFF) fail(i, std::string("truncated \\") + e + " escape in string literal");
        append_utf8(out, static_cast<char32_t>(v));
        return i + 2 + n;
      }
      default:
        if (e >= '0' && e <= '7') {
          size_t j = i + 1;
          unsigned v = 0;
          for (int k = 0; k < 3 && j < src_.size() && src_[j] >= '0' && src_[j] <= '7'; ++k, ++j) v = v * 8 + (src_[j] - '0');
          append_utf8(out, v);
          return j;
        }
        out += '\\';
        return i + 1;
    }
  }

  size_t lex_expression_token(size_t pos, int& depth) {
    const char c = src_[pos];
    if (is_digit(c)) return lex_number(pos);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t i = pos;
      while (i < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[i])) || src_[i] == '_')) ++i;
      tokens_.push_back(Token{TokenType::kName, src_.substr(pos, i - pos), line_at(pos)});
      return i;
    }
    if (c == '\'' || c == '"') return lex_string(pos);
    static const char* const kTwoChar[] = {"//", "**", "==", "!=", "<=", ">="};
    for (const char* op : kTwoChar) {
      if (src_.compare(pos, 2, op) == 0) {
        tokens_.push_back(Token{TokenType::kOperator, op, line_at(pos)});
        return pos + 2;
      }
    }
    if (std::string_view("+-/*%~[](){}<>=.:|,;").find(c) == std::string_view::npos)
      fail(pos, std::string("unexpected char '") + c + "'");
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) fail(pos, std::string("unexpected '") + c + "'");
      --depth;
    }
    tokens_.push_back(Token{TokenType::kOperator, std::string(1, c), line_at(pos)});
    return pos + 1;
  }

  std::string src_;
  size_t pos_ = 0;
  bool line_starting_ = true;
  size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace vkmoe::jinja
