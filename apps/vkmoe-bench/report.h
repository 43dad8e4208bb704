#pragma once
// The three output formats of vkmoe-bench. Every format carries the same rows; json and csv
// share one field list (row_fields), so a column added there shows up in both.
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/vkmoe-bench/bench_row.h"
#include "apps/vkmoe-bench/copy_bandwidth.h"

namespace vkmoe::bench {

struct BenchReport {
  std::vector<BenchRow> rows;
  CopyBandwidth bandwidth;
  uint32_t repetitions = 0;
  uint32_t warmup = 0;
};

// Field name → value, numbers as numbers; bound_ts / bound_fraction are null on pp rows.
nlohmann::ordered_json row_fields(const BenchRow& row, const CopyBandwidth& bandwidth);

void write_markdown(std::FILE* out, const BenchReport& report);
void write_json(std::FILE* out, const BenchReport& report);  // a JSON array of row objects
void write_csv(std::FILE* out, const BenchReport& report);   // a header line, then one line per row

}  // namespace vkmoe::bench
