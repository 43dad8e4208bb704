#pragma once
#include <string>

#include "loader/model/model_spec.h"

namespace vkmoe {

// A .gguf file, or the first file of a split set (name-00001-of-0000N.gguf).
ModelSpec load_gguf_model_spec(const std::string& path);

}  // namespace vkmoe
