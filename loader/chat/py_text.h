#pragma once
// Python's text semantics, which chat templates inherit from jinja2: strings are sequences of
// code points (len, indexing and slicing count code points, not UTF-8 bytes), str.strip()
// strips Unicode whitespace, and floats print as Python's shortest round-trip repr.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe::jinja {

// Invalid UTF-8 bytes decode to U+FFFD each, so no input can make these functions fail.
std::u32string decode_utf8(std::string_view s);
std::string encode_utf8(std::u32string_view s);
void append_utf8(std::string& out, char32_t c);
size_t count_code_points(std::string_view s);
bool is_ascii(std::string_view s);

bool is_py_space(char32_t c);  // str.isspace()
bool is_py_line_break(char32_t c);  // what str.splitlines() splits on

// str.strip / lstrip / rstrip; `chars` absent means whitespace.
std::string py_strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split / str.rsplit; `sep` absent splits on whitespace runs. max_split < 0: no limit.
std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep, int64_t max_split);
std::vector<std::string> py_rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t max_split);
std::vector<std::string> py_splitlines(std::string_view s);
std::string py_replace(std::string_view s, std::string_view old, std::string_view replacement, int64_t count);

std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_title(std::string_view s);       // jinja2's `title` filter
std::string py_capitalize(std::string_view s);  // str.capitalize()

std::string py_float_repr(double v);  // repr(float): "1.0", "1e+20", "0.0001", "nan", "inf"
std::string py_str_repr(std::string_view s);  // repr(str): 'it''s' → "it's"

}  // namespace vkmoe::jinja
