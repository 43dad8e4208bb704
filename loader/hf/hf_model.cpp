#include "loader/hf/hf_model.h"

#include "loader/base/error.h"

namespace vkmoe {

ModelSpec load_hf_model_spec(const std::string& dir) {
  throw Error(ErrorCode::kUnsupported, dir + ": Hugging Face folders are not read yet");
}

}  // namespace vkmoe
