#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "apps/vkmoe-bench/report.h"

namespace vkmoe::bench {
namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string format_count(uint64_t n) {
  if (n >= 1000000000ull) return format("%.2f B", n / 1e9);
  if (n >= 1000000ull) return format("%.2f M", n / 1e6);
  if (n >= 1000ull) return format("%.2f K", n / 1e3);
  return std::to_string(n);
}

std::string format_mib(double bytes) { return format("%.2f MiB", bytes / double(1 << 20)); }

struct Column {
  const char* title;
  bool right_aligned;
};

const std::vector<Column> kColumns = {
    {"model", false}, {"size", true},   {"params", true},    {"active", true},   {"device", false},
    {"type", false},  {"budget", false}, {"test", false},    {"t/s", true},      {"VRAM", true},
    {"expert hits", true}, {"streamed", true}, {"bound t/s", true}, {"of bound", true},
};

std::vector<std::string> cells(const BenchRow& r) {
  return {
      r.model.file_name,
      format("%.2f GiB", static_cast<double>(r.model.weight_bytes) / double(1ull << 30)),
      format_count(r.model.params_total),
      format_count(r.model.params_active),
      r.device,
      r.model.weight_type,
      r.budget,
      r.test,
      format("%.2f", r.avg_ts) + " ± " + format("%.2f", r.stddev_ts),
      format_mib(static_cast<double>(r.vram_bytes)),
      format("%.1f %%", 100.0 * r.expert_hit_rate),
      format_mib(static_cast<double>(r.expert_bytes_streamed)),
      r.bound_ts ? format("%.2f", *r.bound_ts) : "-",
      r.bound_fraction ? format("%.1f %%", 100.0 * *r.bound_fraction) : "-",
  };
}

// Display width in code points, so "±" pads like one character.
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

std::string pad(const std::string& s, size_t w, bool right) {
  std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

void write_markdown(std::FILE* out, const BenchReport& report) {
  std::vector<std::vector<std::string>> table;
  for (const auto& row : report.rows) table.push_back(cells(row));
  std::vector<size_t> widths;
  for (const auto& c : kColumns) widths.push_back(width(c.title));
  for (const auto& line : table) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
  }

  std::string header = "|", rule = "|";
  for (size_t i = 0; i < kColumns.size(); ++i) {
    header += " " + pad(kColumns[i].title, widths[i], kColumns[i].right_aligned) + " |";
    rule += " " + std::string(widths[i] - (kColumns[i].right_aligned ? 1 : 0), '-') +
            (kColumns[i].right_aligned ? ":" : "") + " |";
  }
  std::fprintf(out, "%s\n%s\n", header.c_str(), rule.c_str());
  for (const auto& line : table) {
    std::string text = "|";
    for (size_t i = 0; i < line.size(); ++i) text += " " + pad(line[i], widths[i], kColumns[i].right_aligned) + " |";
    std::fprintf(out, "%s\n", text.c_str());
  }

  const CopyBandwidth& bw = report.bandwidth;
  std::fprintf(out, "\n");
  std::fprintf(out, "- t/s: mean ± sample std of %u runs after %u warm-up run(s), wall clock around each eval "
               "(recording, submission, GPU wait, logits read-back). ppN: N random tokens from position 0; "
               "tgN: N one-token steps after a one-token prompt.\n",
               report.repetitions, report.warmup);
  std::fprintf(out, "- copy bandwidth: %.2f GB/s (device-to-device vkCmdCopyBuffer of %s, bytes read + written, "
               "%s, fastest of %u).\n",
               bw.bytes_per_second / 1e9, format_mib(static_cast<double>(bw.buffer_bytes)).c_str(), bw.timer.c_str(),
               bw.runs);
  if (!report.rows.empty()) {
    std::fprintf(out, "- bound t/s: copy bandwidth / %s of weights read per token (dense weights, top-k / n_expert "
                 "of the expert weights, one embedding row); of bound = t/s / bound t/s.\n",
                 format_mib(report.rows.front().model.active_bytes_per_token).c_str());
  }
  std::fprintf(out, "- budget full: every expert resident in VRAM, so expert hits are 100 %% and nothing is streamed.\n");
}

}  // namespace vkmoe::bench
