#include "loader/tokenizer/onig_regex.h"

#include <oniguruma.h>

#include <memory>
#include <mutex>

#include "loader/base/error.h"
#include "loader/tokenizer/utf8.h"

namespace vkmoe {
namespace {

void initialize_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encodings, 1);
  });
}

const UChar* bytes(std::string_view s) { return reinterpret_cast<const UChar*>(s.data()); }

struct RegionDeleter {
  void operator()(OnigRegion* r) const { onig_region_free(r, 1); }
};

}  // namespace

OnigRegex::OnigRegex(std::string_view pattern, const std::string& where) {
  initialize_once();
  regex_t* compiled = nullptr;
  OnigErrorInfo info{};
  const int rc = onig_new(&compiled, bytes(pattern), bytes(pattern) + pattern.size(), ONIG_OPTION_NONE,
                          ONIG_ENCODING_UTF8, ONIG_SYNTAX_DEFAULT, &info);
  if (rc != ONIG_NORMAL) {
    UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, rc, &info);
    throw Error(ErrorCode::kInvalidFile, where + ": regex '" + std::string(pattern) +
                                             "' does not compile: " + reinterpret_cast<const char*>(message));
  }
  regex_ = compiled;
}

OnigRegex::~OnigRegex() { onig_free(static_cast<regex_t*>(regex_)); }

void OnigRegex::find_all(std::string_view text, std::vector<TextSpan>& out) const {
  auto* regex = static_cast<regex_t*>(regex_);
  const std::unique_ptr<OnigRegion, RegionDeleter> region(onig_region_new());
  const UChar* begin = bytes(text);
  const UChar* end = begin + text.size();
  size_t from = 0;
  bool matched_before = false;
  size_t last_match_end = 0;
  while (from <= text.size()) {
    onig_region_clear(region.get());
    const int at = onig_search(regex, begin, end, begin + from, end, region.get(), ONIG_OPTION_NONE);
    if (at == ONIG_MISMATCH) return;
    if (at < 0) {
      UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
      onig_error_code_to_str(message, at);
      throw Error(ErrorCode::kInvalidArgument, std::string("regex search failed: ") + reinterpret_cast<const char*>(message));
    }
    const auto match_begin = static_cast<size_t>(region->beg[0]);
    const auto match_end = static_cast<size_t>(region->end[0]);
    if (match_begin == match_end && matched_before && last_match_end == match_end) {
      from += from < text.size() ? utf8_decode(text, from).length : 1;
      continue;
    }
    out.push_back({match_begin, match_end});
    from = match_end;
    matched_before = true;
    last_match_end = match_end;
  }
}

}  // namespace vkmoe
