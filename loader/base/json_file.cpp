#include "loader/base/json_file.h"

#include "loader/base/error.h"
#include "loader/base/mapped_file.h"

namespace vkmoe {

nlohmann::json parse_json(std::string_view text, const std::string& name) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidFile, name + ": not valid JSON: " + e.what());
  }
}

nlohmann::json read_json_file(const std::string& path) {
  const auto file = MappedFile::open(path);
  return parse_json(std::string_view(reinterpret_cast<const char*>(file->data()), file->size()), path);
}

}  // namespace vkmoe
