#include "loader/tokenizer/json_fields.h"

#include "loader/base/error.h"

namespace vkmoe {
namespace {

const char* type_name(Json::value_t t) {
  switch (t) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::null: return "null";
    default: return "another type";
  }
}

[[noreturn]] void wrong_type(const Json& value, const char* wanted, const std::string& where) {
  throw Error(ErrorCode::kInvalidFile, where + " is " + type_name(value.type()) + ", expected " + wanted);
}

}  // namespace

void json_expect(const Json& value, Json::value_t type, const std::string& where) {
  if (value.type() != type) wrong_type(value, type_name(type), where);
}

const Json& json_member(const Json& object, const std::string& key, const std::string& where) {
  json_expect(object, Json::value_t::object, where);
  const auto it = object.find(key);
  if (it == object.end()) throw Error(ErrorCode::kInvalidFile, where + " has no \"" + key + "\"");
  return *it;
}

std::string json_string(const Json& value, const std::string& where) {
  if (!value.is_string()) wrong_type(value, "a string", where);
  return value.get<std::string>();
}

bool json_bool(const Json& value, const std::string& where) {
  if (!value.is_boolean()) wrong_type(value, "a boolean", where);
  return value.get<bool>();
}

int64_t json_int(const Json& value, const std::string& where) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) throw Error(ErrorCode::kInvalidFile, where + " is out of range");
    return static_cast<int64_t>(v);
  }
  if (!value.is_number_integer()) wrong_type(value, "an integer", where);
  return value.get<int64_t>();
}

double json_number(const Json& value, const std::string& where) {
  if (!value.is_number()) wrong_type(value, "a number", where);
  return value.get<double>();
}

bool json_optional_bool(const Json& object, const char* key, bool fallback, const std::string& where) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? fallback : json_bool(*it, where + "." + key);
}

}  // namespace vkmoe
