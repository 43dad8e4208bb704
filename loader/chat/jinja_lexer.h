#pragma once
// Template source → tokens, with the whitespace rules transformers renders under:
// trim_blocks (the newline after a block or comment tag is dropped), lstrip_blocks (spaces
// and tabs before a block or comment tag on its own line are dropped), "-" inside a tag
// strips all whitespace on that side, "+" turns lstrip off. Newlines are normalised to
// "\n" and one trailing newline of the template is dropped, as jinja2 does.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe::jinja {

enum class TokenType { kData, kBlockBegin, kBlockEnd, kVariableBegin, kVariableEnd, kName, kString, kInteger, kFloat, kOperator, kEnd };

struct Token {
  TokenType type = TokenType::kEnd;
  std::string value;  // data text, name, decoded string literal, or operator
  int line = 1;
  int64_t integer = 0;
  double real = 0;
};

// Throws TemplateError (kSyntax) naming the line on unterminated tags, comments, strings
// and characters that cannot start a token.
std::vector<Token> tokenize(std::string_view source);

}  // namespace vkmoe::jinja
