#include "loader/tokenizer/tokenizer_files.h"

#include "loader/base/error.h"

namespace vkmoe {

TokenizerVocab read_tokenizer_folder(const std::string& dir) {
  throw Error(ErrorCode::kUnsupported, dir + ": tokenizer files are not read yet");
}

std::string read_chat_template(const std::string& dir) {
  throw Error(ErrorCode::kUnsupported, dir + ": chat templates are not read yet");
}

}  // namespace vkmoe
