#include "loader/model/model_spec.h"

#include <filesystem>

#include "loader/base/error.h"
#include "loader/gguf/gguf_model.h"
#include "loader/hf/hf_model.h"

namespace vkmoe {

const TensorData* ModelSpec::find(const std::string& name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

const TensorData& ModelSpec::require(const std::string& name) const {
  const TensorData* t = find(name);
  if (t == nullptr) throw Error(ErrorCode::kNotFound, path + ": tensor '" + name + "' is missing");
  return *t;
}

ModelSpec load_model_spec(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return load_hf_model_spec(path);
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::kNotFound, path + ": no such file or folder");
  return load_gguf_model_spec(path);
}

}  // namespace vkmoe
