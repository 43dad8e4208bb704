#pragma once
// What Hugging Face's tokenizers splits and replaces by: a regex, a literal string or a
// character class, found in a piece of text, and the five ways a split treats what it found
// (SplitDelimiterBehavior).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/onig_regex.h"

namespace vkmoe {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

struct SplitMatch {
  TextSpan span;
  bool is_match;  // false for the text between matches
};

class SplitPattern {
 public:
  // A regex, compiled by Oniguruma; throws Error(kInvalidFile) naming `where`.
  static SplitPattern regex(std::string_view pattern, const std::string& where);
  // A literal string: compiled as the escaped regex, exactly as the library does.
  static SplitPattern literal(std::string_view text, const std::string& where);
  // Every character for which `test` holds is one match.
  static SplitPattern chars(bool (*test)(char32_t));

  // Spans covering all of `text` in order, each a match or the text between matches; an empty
  // text gives one empty non-match. With `invert` matches and gaps swap roles.
  std::vector<SplitMatch> find(std::string_view text, bool invert = false) const;

 private:
  std::shared_ptr<const OnigRegex> regex_;
  bool (*test_)(char32_t) = nullptr;
};

// A Split, Replace or decoder "pattern": {"String": "..."} or {"Regex": "..."}; throws
// Error(kInvalidFile) naming `where` for anything else.
SplitPattern read_split_pattern(const Json& json, const std::string& where);

// The spans of `text` that a split with `behavior` keeps, in order (some may be empty).
std::vector<TextSpan> split_spans(std::vector<SplitMatch> matches, SplitBehavior behavior);

// `text` with every match of `pattern` replaced by `content`.
std::string replace_matches(std::string_view text, const SplitPattern& pattern, std::string_view content);

}  // namespace vkmoe
