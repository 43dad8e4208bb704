#include "loader/gguf/gguf_model.h"

#include "loader/base/error.h"

namespace vkmoe {

ModelSpec load_gguf_model_spec(const std::string& path) {
  throw Error(ErrorCode::kUnsupported, path + ": GGUF reading is not built yet");
}

}  // namespace vkmoe
