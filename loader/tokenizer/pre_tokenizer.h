#pragma once
// tokenizer.json's pre-tokenizer: the steps that cut normalized text into the words BPE
// merges may never cross, as Hugging Face's tokenizers defines them. A Sequence is
// flattened; each step applies to every piece the previous steps left. Also built for GGUF
// byte-level vocabularies from their tokenizer.ggml.pre family (pre_tokenizer_families.h).
#include <string>
#include <variant>
#include <vector>

#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/split_pattern.h"

namespace vkmoe {

class PreTokenizer {
 public:
  // `json` is the "pre_tokenizer" value (null: none). Throws Error(kUnsupported) naming a type
  // vkmoe does not implement and its JSON path, Error(kInvalidFile) for bad fields or regexes.
  static PreTokenizer from_json(const Json& json, const std::string& where);
  // Isolated splits by each regex in turn, then GPT-2's byte alphabet: what a GGUF byte-level
  // vocabulary's family means.
  static PreTokenizer byte_level_with_regexes(const std::vector<std::string>& regexes, const std::string& where);

  // Appends the words of `text` (normalized, valid UTF-8) to `out`; empty words are dropped.
  // `at_text_start`: `text` begins the input (Metaspace's prepend_scheme "first").
  void split(std::string text, bool at_text_start, std::vector<std::string>& out) const;

  // Whether a ByteLevel step writes words in GPT-2's byte alphabet.
  bool byte_level() const { return byte_level_; }
  // The Split regexes in order, ByteLevel's own included: what names the family.
  const std::vector<std::string>& regexes() const { return regexes_; }

 private:
  struct Split {
    SplitPattern pattern;
    SplitBehavior behavior;
    bool invert;
  };
  struct ByteLevel {
    bool add_prefix_space;
    bool use_regex;
  };
  enum class Prepend { kAlways, kFirst, kNever };
  struct Metaspace {
    std::string replacement;  // one character
    SplitPattern marker;      // finds `replacement`
    Prepend prepend;
    bool split;
  };
  using Step = std::variant<Split, ByteLevel, Metaspace>;
  struct Piece {
    std::string text;
    bool at_text_start;
  };
  void add(const Json& json, const std::string& where);
  void apply(const Step& step, std::vector<Piece>& pieces) const;

  std::vector<Step> steps_;
  std::vector<std::string> regexes_;
  bool byte_level_ = false;
};

// The regex of Hugging Face's ByteLevel pre-tokenizer when its use_regex is on (GPT-2's).
extern const char* const kGpt2PreTokenizerRegex;

}  // namespace vkmoe
