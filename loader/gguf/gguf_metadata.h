#pragma once
// The key → value table of a GGUF file with typed accessors. Integer getters accept any
// integer type whose value fits (writers disagree on u32 vs i32 for the same key); a string,
// float or bool asked for as another kind is an error naming the file, key and both types.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/gguf/gguf_value.h"

namespace vkmoe {

class GgufMetadata {
 public:
  explicit GgufMetadata(std::string file_name = {}) : file_(std::move(file_name)) {}

  // Throws kInvalidFile when the key is already present.
  void insert(std::string key, GgufValue value);

  const std::map<std::string, GgufValue, std::less<>>& entries() const { return entries_; }
  const GgufValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Missing keys throw kNotFound; wrong types or out-of-range integers throw kInvalidFile.
  std::string_view get_string(std::string_view key) const;
  uint32_t get_u32(std::string_view key) const;
  uint64_t get_u64(std::string_view key) const;
  int64_t get_i64(std::string_view key) const;
  float get_f32(std::string_view key) const;  // f32 or f64
  bool get_bool(std::string_view key) const;
  const GgufValue& get_array(std::string_view key) const;
  std::vector<float> get_f32_array(std::string_view key) const;
  std::vector<int64_t> get_int_array(std::string_view key) const;
  const std::vector<std::string_view>& get_string_array(std::string_view key) const;

  // nullopt when the key is absent; a present key of the wrong type still throws.
  std::optional<std::string_view> find_string(std::string_view key) const;
  std::optional<uint32_t> find_u32(std::string_view key) const;
  std::optional<float> find_f32(std::string_view key) const;
  std::optional<bool> find_bool(std::string_view key) const;

  // Printable form for `vkmoe info`: scalars as text, arrays as "[N items]".
  static std::string printable(const GgufValue& value);

 private:
  const GgufValue& require(std::string_view key) const;
  [[noreturn]] void wrong_type(std::string_view key, const GgufValue& value, const char* wanted) const;

  std::string file_;
  std::map<std::string, GgufValue, std::less<>> entries_;
};

}  // namespace vkmoe
