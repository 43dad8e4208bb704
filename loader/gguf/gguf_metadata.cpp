#include "loader/gguf/gguf_metadata.h"

#include <charconv>
#include <limits>

#include "loader/base/byte_load.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

// An integer of any GGUF width as sign + magnitude, so range checks need no wider type.
struct Integer {
  bool negative = false;
  uint64_t magnitude = 0;
};

Integer signed_integer(int64_t v) {
  if (v >= 0) return {false, static_cast<uint64_t>(v)};
  return {true, static_cast<uint64_t>(-(v + 1)) + 1};
}

Integer integer_at(GgufType type, const uint8_t* p) {
  switch (type) {
    case GgufType::kU8: return {false, load_le<uint8_t>(p)};
    case GgufType::kI8: return signed_integer(load_le<int8_t>(p));
    case GgufType::kU16: return {false, load_le<uint16_t>(p)};
    case GgufType::kI16: return signed_integer(load_le<int16_t>(p));
    case GgufType::kU32: return {false, load_le<uint32_t>(p)};
    case GgufType::kI32: return signed_integer(load_le<int32_t>(p));
    case GgufType::kU64: return {false, load_le<uint64_t>(p)};
    case GgufType::kI64: return signed_integer(load_le<int64_t>(p));
    default: return {};
  }
}

std::string integer_text(Integer v) { return (v.negative ? "-" : "") + std::to_string(v.magnitude); }

bool fits_i64(Integer v) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return v.negative ? v.magnitude <= kMax + 1 : v.magnitude <= kMax;
}

int64_t to_i64(Integer v) {
  if (!v.negative) return static_cast<int64_t>(v.magnitude);
  return -static_cast<int64_t>(v.magnitude - 1) - 1;
}

// Shortest text that reads back as the same value: "1e-05", not "0.000010".
template <typename T>
std::string shortest_text(T v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

}  // namespace

void GgufMetadata::insert(std::string key, GgufValue value) {
  if (entries_.count(key) != 0) throw Error(ErrorCode::kInvalidFile, file_ + ": duplicate metadata key '" + key + "'");
  entries_.emplace(std::move(key), std::move(value));
}

const GgufValue* GgufMetadata::find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

const GgufValue& GgufMetadata::require(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) throw Error(ErrorCode::kNotFound, file_ + ": metadata key '" + std::string(key) + "' is missing");
  return *v;
}

void GgufMetadata::wrong_type(std::string_view key, const GgufValue& value, const char* wanted) const {
  throw Error(ErrorCode::kInvalidFile, file_ + ": metadata key '" + std::string(key) + "' is " +
                                           value.type_description() + ", expected " + wanted);
}

std::string_view GgufMetadata::get_string(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kString) wrong_type(key, v, "string");
  return v.str;
}

uint64_t GgufMetadata::get_u64(std::string_view key) const {
  const GgufValue& v = require(key);
  if (!gguf_type_is_integer(v.type)) wrong_type(key, v, "an integer");
  Integer i = integer_at(v.type, v.raw.data());
  if (i.negative) {
    throw Error(ErrorCode::kInvalidFile, file_ + ": metadata key '" + std::string(key) + "' is " + integer_text(i) +
                                             ", expected a non-negative integer");
  }
  return i.magnitude;
}

uint32_t GgufMetadata::get_u32(std::string_view key) const {
  uint64_t v = get_u64(key);
  if (v > std::numeric_limits<uint32_t>::max()) {
    throw Error(ErrorCode::kInvalidFile,
                file_ + ": metadata key '" + std::string(key) + "' is " + std::to_string(v) + ", too large for u32");
  }
  return static_cast<uint32_t>(v);
}

int64_t GgufMetadata::get_i64(std::string_view key) const {
  const GgufValue& v = require(key);
  if (!gguf_type_is_integer(v.type)) wrong_type(key, v, "an integer");
  Integer i = integer_at(v.type, v.raw.data());
  if (!fits_i64(i)) {
    throw Error(ErrorCode::kInvalidFile,
                file_ + ": metadata key '" + std::string(key) + "' is " + integer_text(i) + ", too large for i64");
  }
  return to_i64(i);
}

float GgufMetadata::get_f32(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type == GgufType::kF32) return load_le<float>(v.raw.data());
  if (v.type == GgufType::kF64) return static_cast<float>(load_le<double>(v.raw.data()));
  wrong_type(key, v, "f32");
}

bool GgufMetadata::get_bool(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kBool) wrong_type(key, v, "bool");
  return v.raw[0] != 0;
}

const GgufValue& GgufMetadata::get_array(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::kArray) wrong_type(key, v, "an array");
  return v;
}

std::vector<float> GgufMetadata::get_f32_array(std::string_view key) const {
  const GgufValue& v = get_array(key);
  std::vector<float> out(v.count);
  if (v.elem_type == GgufType::kF32) {
    for (uint64_t i = 0; i < v.count; ++i) out[i] = load_le<float>(v.raw.data() + 4 * i);
  } else if (v.elem_type == GgufType::kF64) {
    for (uint64_t i = 0; i < v.count; ++i) out[i] = static_cast<float>(load_le<double>(v.raw.data() + 8 * i));
  } else {
    wrong_type(key, v, "array of f32");
  }
  return out;
}

std::vector<int64_t> GgufMetadata::get_int_array(std::string_view key) const {
  const GgufValue& v = get_array(key);
  if (!gguf_type_is_integer(v.elem_type)) wrong_type(key, v, "array of integers");
  uint32_t size = gguf_type_size(v.elem_type);
  std::vector<int64_t> out(v.count);
  for (uint64_t i = 0; i < v.count; ++i) {
    Integer x = integer_at(v.elem_type, v.raw.data() + size * i);
    if (!fits_i64(x)) {
      throw Error(ErrorCode::kInvalidFile, file_ + ": metadata key '" + std::string(key) + "' element " +
                                               std::to_string(i) + " is " + integer_text(x) + ", too large for i64");
    }
    out[i] = to_i64(x);
  }
  return out;
}

const std::vector<std::string_view>& GgufMetadata::get_string_array(std::string_view key) const {
  const GgufValue& v = get_array(key);
  if (v.elem_type != GgufType::kString) wrong_type(key, v, "array of string");
  return v.strings;
}

std::optional<std::string_view> GgufMetadata::find_string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_string(key);
}

std::optional<uint32_t> GgufMetadata::find_u32(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_u32(key);
}

std::optional<float> GgufMetadata::find_f32(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_f32(key);
}

std::optional<bool> GgufMetadata::find_bool(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_bool(key);
}

std::string GgufMetadata::printable(const GgufValue& value) {
  switch (value.type) {
    case GgufType::kString: return std::string(value.str);
    case GgufType::kArray: return "[" + std::to_string(value.count) + " items]";
    case GgufType::kBool: return value.raw[0] != 0 ? "true" : "false";
    case GgufType::kF32: return shortest_text(load_le<float>(value.raw.data()));
    case GgufType::kF64: return shortest_text(load_le<double>(value.raw.data()));
    default: return integer_text(integer_at(value.type, value.raw.data()));
  }
}

}  // namespace vkmoe
