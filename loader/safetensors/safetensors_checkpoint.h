#pragma once
// The safetensors weights of a Hugging Face folder: model.safetensors alone, or the shards
// that model.safetensors.index.json's weight_map names, each shard opened once.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loader/safetensors/safetensors_file.h"

namespace vkmoe {

struct LocatedTensor {
  const SafetensorsTensor* tensor = nullptr;
  const SafetensorsFile* file = nullptr;  // the shard that holds it, for messages
};

class SafetensorsCheckpoint {
 public:
  // Throws kNotFound when the folder has neither file, kInvalidFile for a bad index or shard.
  static SafetensorsCheckpoint open_folder(const std::string& dir);

  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }
  // Every tensor of every shard, by name.
  const std::map<std::string, LocatedTensor>& tensors() const { return tensors_; }
  const LocatedTensor* find(const std::string& name) const;

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, LocatedTensor> tensors_;
};

}  // namespace vkmoe
