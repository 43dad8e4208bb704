#pragma once
// Message text split into prose and fenced code blocks (``` lines), so code can be drawn in
// the monospace font with a copy button. An unclosed fence (a reply still streaming) runs to
// the end of the text.
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe_chat {

struct TextSegment {
  bool code = false;
  std::string language;  // the fence's info string, for code
  std::string text;
};

std::vector<TextSegment> split_code_blocks(std::string_view text);

}  // namespace vkmoe_chat
