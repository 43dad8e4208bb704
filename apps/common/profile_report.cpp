#include "apps/common/profile_report.h"

#include <algorithm>
#include <vector>

namespace vkmoe::cli {
namespace {

// One line of the profile, per token.
struct Line {
  std::string name;
  double calls = 0;
  double us = 0;
  double bytes_read = 0, bytes_written = 0;
};

Line line_of(const std::string& name, const CommandTotals& t, double tokens) {
  return {name, double(t.calls) / tokens, t.ns / 1e3 / tokens, double(t.bytes_read) / tokens, double(t.bytes_written) / tokens};
}

double tokens_of(const StepProfile& p) { return double(std::max<uint64_t>(p.tokens, 1)); }

// Bytes / µs is MB/s; / 1e3 more is GB/s. Null where no time was spent.
nlohmann::ordered_json gbs(const Line& l) {
  return l.us > 0 ? nlohmann::ordered_json((l.bytes_read + l.bytes_written) / l.us / 1e3) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json copy_fraction(const Line& l, double copy_bytes_per_second) {
  return l.us > 0 && copy_bytes_per_second > 0
             ? nlohmann::ordered_json((l.bytes_read + l.bytes_written) / (l.us * 1e-6) / copy_bytes_per_second)
             : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json line_json(const Line& l, double gpu_us, double copy_bytes_per_second) {
  nlohmann::ordered_json j;
  j["family"] = l.name;
  j["calls_per_token"] = l.calls;
  j["us_per_token"] = l.us;
  j["time_fraction"] = gpu_us > 0 ? l.us / gpu_us : 0.0;
  j["bytes_read_per_token"] = l.bytes_read;
  j["bytes_written_per_token"] = l.bytes_written;
  j["gbs"] = gbs(l);
  j["copy_bandwidth_fraction"] = copy_fraction(l, copy_bytes_per_second);
  return j;
}

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string format_bytes(double bytes) {
  if (bytes >= double(1 << 30)) return format("%.2f GiB", bytes / double(1 << 30));
  if (bytes >= double(1 << 20)) return format("%.2f MiB", bytes / double(1 << 20));
  if (bytes >= double(1 << 10)) return format("%.2f KiB", bytes / double(1 << 10));
  return format("%.0f B", bytes);
}

// A count per token: whole numbers as such, others with two decimals.
std::string format_per_token(double v) { return v == double(uint64_t(v)) ? format("%.0f", v) : format("%.2f", v); }

std::vector<std::string> cells(const Line& l, double gpu_us, double copy_bytes_per_second, bool has_calls) {
  const nlohmann::ordered_json g = gbs(l), f = copy_fraction(l, copy_bytes_per_second);
  const bool moves_bytes = l.bytes_read + l.bytes_written > 0;
  return {l.name,
          has_calls ? format_per_token(l.calls) : "-",
          format("%.2f", l.us),
          format("%.1f %%", gpu_us > 0 ? 100.0 * l.us / gpu_us : 0.0),
          moves_bytes ? format_bytes(l.bytes_read) : "-",
          moves_bytes ? format_bytes(l.bytes_written) : "-",
          moves_bytes && !g.is_null() ? format("%.2f", g.get<double>()) : "-",
          moves_bytes && !f.is_null() ? format("%.1f %%", 100.0 * f.get<double>()) : "-"};
}

void write_table(std::FILE* out, const std::vector<std::vector<std::string>>& rows) {
  const std::vector<std::string> header = {"kernel family", "calls/token", "µs/token", "of GPU time",
                                           "read/token",    "written/token", "GB/s",  "of copy bw"};
  auto width = [](const std::string& s) {
    return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
  };
  std::vector<size_t> widths;
  for (const auto& h : header) widths.push_back(width(h));
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], width(r[i]));
  }
  auto print = [&](const std::vector<std::string>& r) {
    std::string text = "|";
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string fill(widths[i] - width(r[i]), ' ');
      text += " " + (i == 0 ? r[i] + fill : fill + r[i]) + " |";
    }
    std::fprintf(out, "%s\n", text.c_str());
  };
  print(header);
  std::string rule = "|";
  for (size_t i = 0; i < widths.size(); ++i) rule += " " + std::string(widths[i] - (i == 0 ? 0 : 1), '-') + (i == 0 ? "" : ":") + " |";
  std::fprintf(out, "%s\n", rule.c_str());
  for (const auto& r : rows) print(r);
}

}  // namespace

nlohmann::ordered_json profile_json(const StepProfile& p, double copy_bytes_per_second) {
  const double tokens = tokens_of(p), gpu_us = p.gpu_ns / 1e3 / tokens;
  nlohmann::ordered_json j;
  j["timer"] = "GPU timestamps before and after every dispatch, copy and fill";
  j["timestamp_period_ns"] = p.timestamp_period_ns;
  j["steps"] = p.steps;
  j["tokens"] = p.tokens;
  j["gpu_us_per_token"] = gpu_us;
  j["dispatches_per_token"] = double(p.dispatches()) / tokens;
  j["copies_per_token"] = double(p.transfers.calls) / tokens;
  j["barriers_per_token"] = double(p.barriers) / tokens;
  j["submissions_per_token"] = double(p.submissions) / tokens;
  j["host_waits_per_token"] = double(p.host_waits) / tokens;
  j["copy_bandwidth_gbs"] = copy_bytes_per_second / 1e9;
  nlohmann::ordered_json families = nlohmann::ordered_json::array();
  for (uint32_t f = 0; f < kKernelFamilies; ++f) {
    families.push_back(line_json(line_of(kernel_family_name(KernelFamily(f)), p.families[f], tokens), gpu_us, copy_bytes_per_second));
  }
  j["families"] = families;
  j["copies"] = line_json(line_of("copies", p.transfers, tokens), gpu_us, copy_bytes_per_second);
  j["barriers_us_per_token"] = p.barrier_ns / 1e3 / tokens;
  j["submission_gaps_us_per_token"] = p.submission_gap_ns / 1e3 / tokens;
  return j;
}

void write_profile_markdown(std::FILE* out, const std::string& title, const StepProfile& p, double copy_bytes_per_second) {
  const double tokens = tokens_of(p), gpu_us = p.gpu_ns / 1e3 / tokens;
  std::fprintf(out, "\n%s: %llu step(s), %llu token(s), GPU time %.2f µs/token\n\n", title.c_str(),
               static_cast<unsigned long long>(p.steps), static_cast<unsigned long long>(p.tokens), gpu_us);
  std::vector<std::vector<std::string>> rows;
  CommandTotals kernels;
  for (uint32_t f = 0; f < kKernelFamilies; ++f) {
    const CommandTotals& t = p.families[f];
    kernels.calls += t.calls;
    kernels.ns += t.ns;
    kernels.bytes_read += t.bytes_read;
    kernels.bytes_written += t.bytes_written;
    if (t.calls > 0) rows.push_back(cells(line_of(kernel_family_name(KernelFamily(f)), t, tokens), gpu_us, copy_bytes_per_second, true));
  }
  rows.push_back(cells(line_of("all kernels", kernels, tokens), gpu_us, copy_bytes_per_second, true));
  rows.push_back(cells(line_of("copies", p.transfers, tokens), gpu_us, copy_bytes_per_second, true));
  rows.push_back(cells({"barriers", 0, p.barrier_ns / 1e3 / tokens, 0, 0}, gpu_us, copy_bytes_per_second, false));
  rows.push_back(cells({"submission gaps", 0, p.submission_gap_ns / 1e3 / tokens, 0, 0}, gpu_us, copy_bytes_per_second, false));
  write_table(out, rows);
  std::fprintf(out, "\n- per token: %s dispatches, %s copies, %s pipeline barriers, %s submissions, %s host waits.\n",
               format_per_token(double(p.dispatches()) / tokens).c_str(), format_per_token(double(p.transfers.calls) / tokens).c_str(),
               format_per_token(double(p.barriers) / tokens).c_str(), format_per_token(double(p.submissions) / tokens).c_str(),
               format_per_token(double(p.host_waits) / tokens).c_str());
  std::fprintf(out, "- timed by GPU timestamps before and after every dispatch, copy and fill (bottom of pipe; period "
               "%.3g ns). all kernels + copies + barriers (gaps inside a command buffer) + submission gaps (between "
               "the command buffers of a step) = GPU time, first to last timestamp of each step.\n",
               p.timestamp_period_ns);
  std::fprintf(out, "- bytes: the buffer ranges each dispatch binds, readonly ones read, writeonly ones written, others "
               "both; expert pools count only min(routed rows, experts in the pool) experts, KV caches only the rows "
               "used. GB/s = (read + written) / time; of copy bw: that over the copy bandwidth (%.2f GB/s, read + "
               "written).\n",
               copy_bytes_per_second / 1e9);
}

}  // namespace vkmoe::cli
