#pragma once
// JSON files of a model folder (config.json, the safetensors index, tokenizer.json, ...)
// read whole and parsed; a file that cannot be read or parsed is an Error naming it.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vkmoe {

// Parses `text`, the contents of `name`; throws Error(kInvalidFile, "<name>: not valid JSON: ...").
nlohmann::json parse_json(std::string_view text, const std::string& name);

// Reads and parses the file at `path`; throws Error(kNotFound) when it does not exist and
// Error(kInvalidFile) when it cannot be read or is not JSON, each naming `path`.
nlohmann::json read_json_file(const std::string& path);

}  // namespace vkmoe
