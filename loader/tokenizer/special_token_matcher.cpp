#include "loader/tokenizer/special_token_matcher.h"

#include <algorithm>

namespace vkmoe {

void SpecialTokenMatcher::add(std::string text, uint32_t id) {
  if (text.empty()) return;
  auto& bucket = by_first_byte_[static_cast<uint8_t>(text[0])];
  const auto at = std::find_if(bucket.begin(), bucket.end(), [&](const Entry& e) { return e.text.size() < text.size(); });
  bucket.insert(at, Entry{std::move(text), id});
}

std::vector<SpecialTokenMatcher::Fragment> SpecialTokenMatcher::split(std::string_view text) const {
  std::vector<Fragment> out;
  size_t plain_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    const Entry* hit = nullptr;
    for (const Entry& e : by_first_byte_[static_cast<uint8_t>(text[pos])]) {
      if (text.compare(pos, e.text.size(), e.text) == 0) {
        hit = &e;
        break;
      }
    }
    if (!hit) {
      ++pos;
      continue;
    }
    if (plain_start < pos) out.push_back({text.substr(plain_start, pos - plain_start), 0, false});
    out.push_back({text.substr(pos, hit->text.size()), hit->id, true});
    pos += hit->text.size();
    plain_start = pos;
  }
  if (plain_start < text.size()) out.push_back({text.substr(plain_start), 0, false});
  return out;
}

}  // namespace vkmoe
