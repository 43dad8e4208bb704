#pragma once
// tokenizer.json's normalizer: the steps Hugging Face's tokenizers applies to each stretch of
// input text (between added tokens) before pre-tokenization. A Sequence is flattened into
// its steps.
#include <string>
#include <variant>
#include <vector>

#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/split_pattern.h"
#include "loader/tokenizer/unicode_chars.h"

namespace vkmoe {

class Normalizer {
 public:
  // `json` is the "normalizer" value (null: none). Throws Error(kUnsupported) naming a type
  // vkmoe does not implement and its JSON path (`where`), Error(kInvalidFile) for bad fields.
  static Normalizer from_json(const Json& json, const std::string& where);

  bool empty() const { return steps_.empty(); }
  // `text` is valid UTF-8 and stays so.
  void normalize(std::string& text) const;

 private:
  struct Lowercase {};
  struct StripAccents {
    bool nonspacing_only;  // BertNormalizer removes Mn only, StripAccents every mark
  };
  struct BertCleanText {};      // drops NUL, U+FFFD and controls; whitespace becomes ' '
  struct BertChineseChars {};   // puts spaces around CJK ideographs
  struct Strip {
    bool left, right;
  };
  struct Replace {
    SplitPattern pattern;
    std::string content;
  };
  struct Prepend {
    std::string text;
  };
  using Step = std::variant<UnicodeForm, Lowercase, StripAccents, BertCleanText, BertChineseChars, Strip, Replace, Prepend>;
  void add(const Json& json, const std::string& where);

  std::vector<Step> steps_;
};

}  // namespace vkmoe
