#pragma once
// Typed reads from one JSON object of a Hugging Face folder (config.json, its rope settings,
// generation_config.json). Errors name the file and key. A key that is absent or null reads
// as the fallback: config.json writes null for "not set".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vkmoe {

class HfJsonFields {
 public:
  // `object` must outlive this view. Throws kInvalidFile when it is not a JSON object.
  HfJsonFields(std::string file, const nlohmann::json& object);

  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;  // present and not null

  uint32_t u32(const std::string& key) const;  // required
  uint32_t u32_or(const std::string& key, uint32_t fallback) const;
  float f32(const std::string& key) const;     // required
  float f32_or(const std::string& key, float fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;
  std::string string(const std::string& key) const;  // required
  std::string string_or(const std::string& key, const std::string& fallback) const;
  // An integer or a list of integers (eos_token_id is either); empty when absent.
  std::vector<uint32_t> u32_list(const std::string& key) const;
  std::vector<std::string> string_list(const std::string& key) const;  // empty when absent
  // A nested object, or nullopt when absent.
  std::optional<HfJsonFields> object(const std::string& key) const;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  const nlohmann::json* get(const std::string& key) const;
  uint32_t to_u32(const std::string& key, const nlohmann::json& value) const;

  std::string file_;
  const nlohmann::json* object_;
};

}  // namespace vkmoe
