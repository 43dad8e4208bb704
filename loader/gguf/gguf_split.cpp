#include "loader/gguf/gguf_split.h"

#include <cstdio>

namespace vkmoe {
namespace {

constexpr std::string_view kSuffix = ".gguf";
constexpr size_t kDigits = 5;
constexpr std::string_view kOf = "-of-";

std::optional<uint32_t> parse_digits(std::string_view s) {
  if (s.size() != kDigits) return std::nullopt;
  uint32_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(ch - '0');
  }
  return v;
}

}  // namespace

std::optional<GgufSplitName> parse_gguf_split_name(const std::string& path) {
  // "-NNNNN-of-MMMMM.gguf" is 1 + 5 + 4 + 5 + 5 characters.
  constexpr size_t kTail = 1 + kDigits + kOf.size() + kDigits + kSuffix.size();
  if (path.size() < kTail) return std::nullopt;
  std::string_view tail = std::string_view(path).substr(path.size() - kTail);
  if (tail[0] != '-' || tail.substr(1 + kDigits, kOf.size()) != kOf || !tail.ends_with(kSuffix)) return std::nullopt;
  auto index = parse_digits(tail.substr(1, kDigits));
  auto count = parse_digits(tail.substr(1 + kDigits + kOf.size(), kDigits));
  if (!index || !count || *index == 0 || *index > *count) return std::nullopt;
  return GgufSplitName{path.substr(0, path.size() - kTail), *index, *count};
}

std::string gguf_split_path(const std::string& prefix, uint32_t index, uint32_t count) {
  char tail[64];
  std::snprintf(tail, sizeof tail, "-%05u-of-%05u.gguf", index, count);
  return prefix + tail;
}

}  // namespace vkmoe
