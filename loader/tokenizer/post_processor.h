#pragma once
// tokenizer.json's post-processor, for one sequence with special tokens wanted: the ids put
// before and after the model's ids. TemplateProcessing's "single" template, RobertaProcessing
// and BertProcessing (cls ... sep), ByteLevel (ids unchanged) and a Sequence of these with at
// most one that adds tokens.
#include <cstdint>
#include <string>
#include <vector>

#include "loader/tokenizer/json_fields.h"

namespace vkmoe {

struct PostProcessor {
  bool present = false;          // false: tokenizer.json has none
  std::vector<uint32_t> prefix;  // before the sequence's ids
  std::vector<uint32_t> suffix;  // after them
  bool adds_tokens = false;      // a template, Roberta or Bert processor is present

  // `json` is the "post_processor" value (null: none). Throws Error(kUnsupported) naming a
  // type vkmoe does not implement and its JSON path, Error(kInvalidFile) for bad fields.
  static PostProcessor from_json(const Json& json, const std::string& where);
};

}  // namespace vkmoe
