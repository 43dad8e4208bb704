#include <string>

#include "apps/vkmoe-bench/report.h"

namespace vkmoe::bench {

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

// Strings as they are, numbers as JSON writes them, null as an empty field, an array as its
// numbers joined by ';' (llama-bench's samples_ns convention).
std::string csv_value(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_escape(v.get<std::string>());
  if (v.is_array()) {
    std::string joined;
    for (const auto& x : v) joined += (joined.empty() ? "" : ";") + x.dump();
    return joined;
  }
  return v.dump();
}

}  // namespace

void write_csv(std::FILE* out, const BenchReport& report) {
  bool header_written = false;
  for (const auto& row : report.rows) {
    nlohmann::ordered_json fields = row_fields(row, report);
    std::string header, line;
    bool first = true;
    for (const auto& [key, value] : fields.items()) {
      if (!first) {
        header += ',';
        line += ',';
      }
      first = false;
      header += key;
      line += csv_value(value);
    }
    if (!header_written) std::fprintf(out, "%s\n", header.c_str());
    header_written = true;
    std::fprintf(out, "%s\n", line.c_str());
  }
}

}  // namespace vkmoe::bench
