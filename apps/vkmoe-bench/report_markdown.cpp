#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "apps/common/profile_report.h"
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
    {"expert hits", true}, {"streamed/token", true}, {"bound t/s", true}, {"of bound", true},
};

std::vector<std::string> cells(const BenchRow& r) {
  return {
      r.model.file_name,
      format("%.2f GiB", static_cast<double>(r.model.weight_bytes) / double(1ull << 30)),
      format_count(r.model.params_total),
      format_count(r.model.params_active),
      r.device,
      r.model.weight_type,
      r.vram.budget,
      r.test,
      format("%.2f", r.avg_ts) + " ± " + format("%.2f", r.stddev_ts),
      format_mib(static_cast<double>(r.vram.total())),
      format("%.1f %%", 100.0 * r.expert_hit_rate),
      format_mib(r.expert_bytes_per_token),
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

const std::vector<Column> kComparisonColumns = {
    {"test", false},       {"budget", false},          {"t/s", true},         {"resident t/s", true},
    {"vs resident", true}, {"streamed/token", true},   {"model t/s", true},   {"time vs model", true},
};

std::vector<std::string> comparison_cells(const BenchRow& r) {
  auto ratio = [](const std::optional<double>& v) { return v ? format("%.2f", *v) : std::string("-"); };
  return {
      r.test,
      r.vram.budget,
      format("%.2f", r.avg_ts),
      r.resident_ts ? format("%.2f", *r.resident_ts) : "-",
      ratio(r.speed_vs_resident),
      format_mib(r.expert_bytes_per_token),
      r.model_ts ? format("%.2f", *r.model_ts) : "-",
      ratio(r.time_vs_model),
  };
}

void write_table(std::FILE* out, const std::vector<Column>& columns, const std::vector<std::vector<std::string>>& table) {
  std::vector<size_t> widths;
  for (const auto& c : columns) widths.push_back(width(c.title));
  for (const auto& line : table) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
  }

  std::string header = "|", rule = "|";
  for (size_t i = 0; i < columns.size(); ++i) {
    header += " " + pad(columns[i].title, widths[i], columns[i].right_aligned) + " |";
    rule += " " + std::string(widths[i] - (columns[i].right_aligned ? 1 : 0), '-') + (columns[i].right_aligned ? ":" : "") + " |";
  }
  std::fprintf(out, "%s\n%s\n", header.c_str(), rule.c_str());
  for (const auto& line : table) {
    std::string text = "|";
    for (size_t i = 0; i < line.size(); ++i) text += " " + pad(line[i], widths[i], columns[i].right_aligned) + " |";
    std::fprintf(out, "%s\n", text.c_str());
  }
}

}  // namespace

void write_markdown(std::FILE* out, const BenchReport& report) {
  std::vector<std::vector<std::string>> table;
  for (const auto& row : report.rows) table.push_back(cells(row));
  write_table(out, kColumns, table);

  const cli::CopyBandwidth& bw = report.bandwidth;
  std::fprintf(out, "\n");
  std::fprintf(out, "- t/s: mean ± sample std of %u runs after %u warm-up run(s), wall clock around each eval "
               "(recording, submission, GPU wait, read-back: pp the last logits, tg the greedy token). ppN: N random "
               "tokens from position 0; tgN: N one-token steps after a one-token prompt.\n",
               report.repetitions, report.warmup);
  std::fprintf(out, "- copy bandwidth: %.2f GB/s (device-to-device vkCmdCopyBuffer of %s, bytes read + written, "
               "%s, fastest of %u).\n",
               bw.bytes_per_second / 1e9, format_mib(static_cast<double>(bw.buffer_bytes)).c_str(), bw.timer.c_str(),
               bw.runs);
  std::fprintf(out, "- host-to-device bandwidth: %.2f GB/s (vkCmdCopyBuffer of %s from host-visible memory, where "
               "streamed experts live, to device-local memory, bytes moved, %s, fastest of %u).\n",
               report.upload.bytes_per_second / 1e9, format_mib(static_cast<double>(report.upload.buffer_bytes)).c_str(),
               report.upload.timer.c_str(), report.upload.runs);
  if (!report.rows.empty()) {
    std::fprintf(out, "- bound t/s: copy bandwidth / %s of weights read per token (dense weights, top-k / n_expert "
                 "of the expert weights, one embedding row); of bound = t/s / bound t/s.\n",
                 format_mib(report.rows.front().model.active_bytes_per_token).c_str());
  }
  std::fprintf(out, "- budget: full = every expert resident in VRAM (expert hits 100 %%, nothing streamed); otherwise the "
               "resolved VRAM budget and the expert slots it leaves of all experts. VRAM: device-resident weights + "
               "expert slot pool + KV cache and scratch planned for the largest test.\n");
  std::fprintf(out, "- expert hits: expert uses (one expert needed by one layer in one step) served from VRAM over the "
               "timed runs; streamed/token: expert bytes copied into slots or read in place from host memory, per "
               "evaluated token (tg counts its untimed one-token prompt too).\n");

  std::vector<std::vector<std::string>> comparison;
  for (const auto& row : report.rows) {
    if (row.resident_ts) comparison.push_back(comparison_cells(row));
  }
  if (!comparison.empty()) {
    std::fprintf(out, "\nStreaming against every expert resident (--compare-resident):\n\n");
    write_table(out, kComparisonColumns, comparison);
    std::fprintf(out, "\n- vs resident: t/s / resident t/s (vkmoe's target: at least 0.5 for pp512 at a quarter of the "
                 "experts).\n");
    std::fprintf(out, "- model t/s (tg): 1 / (1 / resident t/s + streamed/token / host-to-device bandwidth), the speed if "
                 "copies neither overlapped compute nor stalled beyond their transfer time; time vs model: measured "
                 "time per token / the model's (vkmoe's target: at most 1.25 at half the experts).\n");
  }
  if (!report.comparison_note.empty()) std::fprintf(out, "- %s\n", report.comparison_note.c_str());
  for (const auto& row : report.rows) {
    if (row.profile) cli::write_profile_markdown(out, "Profile of " + row.test, *row.profile, row.copy_bandwidth);
  }
}

}  // namespace vkmoe::bench
