#pragma once
// The tensors a forward pass of a ModelConfig reads, by GGUF name, with GGUF's ne. The
// Hugging Face loader checks a folder against it, so the engine gets a complete tensor table
// whose shapes agree with the hyperparameters, and nothing it would silently ignore.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loader/model/model_config.h"

namespace vkmoe {

struct ExpectedTensor {
  std::vector<uint64_t> ne;
  bool required = true;
};

std::map<std::string, ExpectedTensor> expected_tensors(const ModelConfig& config);

}  // namespace vkmoe
