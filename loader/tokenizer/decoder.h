#pragma once
// tokenizer.json's decoder: token strings back to text, step by step as Hugging Face's
// tokenizers chains them (each step maps the list of strings to a new list; the result is
// their concatenation). A Sequence is flattened.
#include <string>
#include <variant>
#include <vector>

#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/split_pattern.h"

namespace vkmoe {

class Decoder {
 public:
  // `json` is the "decoder" value. Null means none: the library then joins tokens with
  // spaces. Throws Error(kUnsupported) naming a type vkmoe does not implement and its path.
  static Decoder from_json(const Json& json, const std::string& where);
  // GPT-2's byte alphabet back to bytes: GGUF byte-level vocabularies.
  static Decoder gpt2_bytes();

  // Whether a step maps GPT-2's byte alphabet back to bytes.
  bool maps_bytes() const;

  // The text of `tokens` (valid UTF-8 each); always valid UTF-8.
  std::string decode(std::vector<std::string> tokens) const;

 private:
  struct ByteLevel {};
  struct ByteFallback {};
  struct Fuse {};
  struct Metaspace {
    std::string replacement;
    bool strip_first;  // prepend_scheme other than "never": the first token's markers vanish
  };
  struct Strip {
    char32_t content;
    size_t start, stop;
  };
  struct Replace {
    SplitPattern pattern;
    std::string content;
  };
  using Step = std::variant<ByteLevel, ByteFallback, Fuse, Metaspace, Strip, Replace>;
  void add(const Json& json, const std::string& where);

  std::vector<Step> steps_;
  bool present_ = false;
};

}  // namespace vkmoe
