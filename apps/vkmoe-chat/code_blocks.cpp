#include "apps/vkmoe-chat/code_blocks.h"

namespace vkmoe_chat {

std::vector<TextSegment> split_code_blocks(std::string_view text) {
  std::vector<TextSegment> out;
  TextSegment current;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.substr(0, 3) == "```") {
      if (!current.text.empty() || current.code) out.push_back(std::move(current));
      const bool opening = !current.code;
      current = TextSegment{};
      current.code = opening;
      if (opening) current.language = std::string(line.substr(3));
    } else {
      current.text.append(line);
      if (!last) current.text.push_back('\n');
    }
    at = end + 1;
  }
  if (!current.text.empty() || current.code) out.push_back(std::move(current));
  return out;
}

}  // namespace vkmoe_chat
