#pragma once
// The three output formats of vkmoe-bench. Every format carries the same rows; json and csv
// share one field list (row_fields), so a column added there shows up in both.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/common/copy_bandwidth.h"
#include "apps/vkmoe-bench/bench_row.h"

namespace vkmoe::bench {

struct BenchReport {
  std::vector<BenchRow> rows;
  cli::CopyBandwidth bandwidth;  // device to device
  cli::CopyBandwidth upload;     // host-visible to device-local
  std::string comparison_note;   // why --compare-resident gave no ratios, if it did not
  uint32_t repetitions = 0;
  uint32_t warmup = 0;
};

// Field name → value, numbers as numbers; bound_ts / bound_fraction are null on pp rows, the
// resident comparison fields null unless --compare-resident ran.
nlohmann::ordered_json row_fields(const BenchRow& row, const BenchReport& report);

void write_markdown(std::FILE* out, const BenchReport& report);
void write_json(std::FILE* out, const BenchReport& report);  // a JSON array of row objects
void write_csv(std::FILE* out, const BenchReport& report);   // a header line, then one line per row

// RFC 4180: quotes a field holding a comma, quote or line break, doubling the quotes inside.
std::string csv_escape(const std::string& field);

}  // namespace vkmoe::bench
