#pragma once
// Tokens → statement tree, following jinja2's grammar and operator precedence (including
// its quirks: `is` tests and filters bind tighter than arithmetic, ** is left-associative).
#include <string_view>

#include "loader/chat/jinja_ast.h"

namespace vkmoe::jinja {

// Throws TemplateError (kSyntax) with the line of the offending token. Nesting deeper than
// a few hundred levels is rejected so hostile input cannot exhaust the stack.
Body parse_template(std::string_view source);

}  // namespace vkmoe::jinja
