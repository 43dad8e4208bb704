#include "loader/safetensors/safetensors_checkpoint.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "loader/base/error.h"
#include "loader/base/json_file.h"

namespace vkmoe {
namespace {

using nlohmann::json;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

// A shard is named relative to the index; anything that could leave the folder is refused.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

// weight_map: tensor name → shard file name, in the index's order of shards.
std::map<std::string, std::string> read_weight_map(const std::string& index_path) {
  json index = read_json_file(index_path);
  auto fail = [&](const std::string& what) { throw Error(ErrorCode::kInvalidFile, index_path + ": " + what); };
  if (!index.is_object()) fail("not a JSON object");
  auto map = index.find("weight_map");
  if (map == index.end() || !map->is_object()) fail("'weight_map' is missing or not an object");
  std::map<std::string, std::string> out;
  for (const auto& [tensor, shard] : map->items()) {
    if (!shard.is_string()) fail("weight_map entry '" + tensor + "' is not a file name");
    std::string name = shard.get<std::string>();
    if (!is_plain_file_name(name)) fail("weight_map entry '" + tensor + "' names '" + name + "', not a file in the folder");
    out[tensor] = name;
  }
  if (out.empty()) fail("weight_map is empty");
  return out;
}

}  // namespace

SafetensorsCheckpoint SafetensorsCheckpoint::open_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  SafetensorsCheckpoint out;
  const std::string index_path = (fs::path(dir) / kIndexFile).string();
  std::error_code ec;
  if (fs::exists(index_path, ec)) {
    std::map<std::string, std::string> weight_map = read_weight_map(index_path);
    std::map<std::string, const SafetensorsFile*> shards;
    for (const auto& [tensor, shard] : weight_map) {
      if (shards.count(shard)) continue;
      const std::string shard_path = (fs::path(dir) / shard).string();
      if (!fs::is_regular_file(shard_path, ec)) {
        throw Error(ErrorCode::kNotFound, index_path + ": tensor '" + tensor + "' is in shard '" + shard + "', which does not exist");
      }
      out.files_.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(shard_path)));
      shards[shard] = out.files_.back().get();
    }
    for (const auto& [tensor, shard] : weight_map) {
      if (shards[shard]->find(tensor) == nullptr) {
        throw Error(ErrorCode::kInvalidFile, index_path + ": tensor '" + tensor + "' is mapped to '" + shard + "', which lacks it");
      }
    }
  } else {
    const std::string single_path = (fs::path(dir) / kSingleFile).string();
    if (!fs::exists(single_path, ec)) {
      throw Error(ErrorCode::kNotFound, dir + ": no " + kSingleFile + " or " + kIndexFile);
    }
    out.files_.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(single_path)));
  }

  for (const auto& file : out.files_) {
    for (const SafetensorsTensor& t : file->tensors()) {
      auto [it, inserted] = out.tensors_.emplace(t.name, LocatedTensor{&t, file.get()});
      if (!inserted) {
        throw Error(ErrorCode::kInvalidFile, "tensor '" + t.name + "' is in both " + it->second.file->path() + " and " + file->path());
      }
    }
  }
  return out;
}

const LocatedTensor* SafetensorsCheckpoint::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace vkmoe
