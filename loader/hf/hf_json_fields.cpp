#include "loader/hf/hf_json_fields.h"

#include <cmath>
#include <limits>

#include "loader/base/error.h"

namespace vkmoe {

using nlohmann::json;

namespace {

std::string show(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 64 ? text.substr(0, 61) + "..." : text;
}

}  // namespace

HfJsonFields::HfJsonFields(std::string file, const json& object) : file_(std::move(file)), object_(&object) {
  if (!object.is_object()) throw Error(ErrorCode::kInvalidFile, file_ + ": expected a JSON object, got " + show(object));
}

void HfJsonFields::fail(const std::string& key, const std::string& what) const {
  throw Error(ErrorCode::kInvalidFile, file_ + ": field '" + key + "': " + what);
}

const json* HfJsonFields::get(const std::string& key) const {
  auto it = object_->find(key);
  return it == object_->end() || it->is_null() ? nullptr : &*it;
}

bool HfJsonFields::has(const std::string& key) const { return get(key) != nullptr; }

uint32_t HfJsonFields::to_u32(const std::string& key, const json& value) const {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
    fail(key, "expected an integer in [0, 2^32), got " + show(value));
  }
  return static_cast<uint32_t>(value.get<uint64_t>());
}

uint32_t HfJsonFields::u32(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) fail(key, "missing");
  return to_u32(key, *v);
}

uint32_t HfJsonFields::u32_or(const std::string& key, uint32_t fallback) const { return has(key) ? u32(key) : fallback; }

float HfJsonFields::f32(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) fail(key, "missing");
  if (!v->is_number()) fail(key, "expected a number, got " + show(*v));
  double d = v->get<double>();
  if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) fail(key, "out of range: " + show(*v));
  return static_cast<float>(d);
}

float HfJsonFields::f32_or(const std::string& key, float fallback) const { return has(key) ? f32(key) : fallback; }

bool HfJsonFields::bool_or(const std::string& key, bool fallback) const {
  const json* v = get(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(key, "expected true or false, got " + show(*v));
  return v->get<bool>();
}

std::string HfJsonFields::string(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) fail(key, "missing");
  if (!v->is_string()) fail(key, "expected a string, got " + show(*v));
  return v->get<std::string>();
}

std::string HfJsonFields::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

std::vector<uint32_t> HfJsonFields::u32_list(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) return {};
  if (!v->is_array()) return {to_u32(key, *v)};
  std::vector<uint32_t> out;
  for (const json& item : *v) out.push_back(to_u32(key, item));
  return out;
}

std::vector<std::string> HfJsonFields::string_list(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) return {};
  if (!v->is_array()) fail(key, "expected a list of strings, got " + show(*v));
  std::vector<std::string> out;
  for (const json& item : *v) {
    if (!item.is_string()) fail(key, "expected a list of strings, got " + show(*v));
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<HfJsonFields> HfJsonFields::object(const std::string& key) const {
  const json* v = get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) fail(key, "expected an object, got " + show(*v));
  return HfJsonFields(file_ + " '" + key + "'", *v);
}

}  // namespace vkmoe
