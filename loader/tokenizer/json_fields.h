#pragma once
// Checked access to JSON fields for the tokenizer readers: a missing key or a value of the
// wrong type throws Error(kInvalidFile) naming the file and the field.
#include <nlohmann/json.hpp>
#include <string>

namespace vkmoe {

using Json = nlohmann::json;

const Json& json_member(const Json& object, const std::string& key, const std::string& where);
std::string json_string(const Json& value, const std::string& where);
bool json_bool(const Json& value, const std::string& where);
int64_t json_int(const Json& value, const std::string& where);
double json_number(const Json& value, const std::string& where);
// object[key] as a boolean; `fallback` when the key is missing or null.
bool json_optional_bool(const Json& object, const char* key, bool fallback, const std::string& where);
void json_expect(const Json& value, Json::value_t type, const std::string& where);

}  // namespace vkmoe
