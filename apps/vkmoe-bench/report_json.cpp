#include <cmath>
#include <string>

#include "apps/common/profile_report.h"
#include "apps/vkmoe-bench/report.h"

namespace vkmoe::bench {
namespace {

nlohmann::ordered_json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json row_fields(const BenchRow& row, const BenchReport& report) {
  nlohmann::ordered_json j;
  j["model"] = row.model.file_name;
  j["arch"] = row.model.arch;
  j["size_bytes"] = row.model.weight_bytes;
  j["size_gib"] = static_cast<double>(row.model.weight_bytes) / double(1ull << 30);
  j["params_total"] = row.model.params_total;
  j["params_active"] = row.model.params_active;
  j["device"] = row.device;
  j["driver"] = row.driver;
  j["weight_type"] = row.model.weight_type;
  j["budget"] = row.vram.budget;
  j["expert_slots"] = row.vram.expert_slots;
  j["total_experts"] = row.vram.total_experts;
  j["test"] = row.test;
  j["n_prompt"] = row.n_prompt;
  j["n_gen"] = row.n_gen;
  j["n_ubatch"] = row.ubatch;
  j["repetitions"] = row.samples_ts.size();
  j["warmup"] = row.warmup;
  j["avg_ts"] = row.avg_ts;
  j["stddev_ts"] = row.stddev_ts;
  j["samples_ts"] = row.samples_ts;
  j["vram_bytes"] = row.vram.total();
  j["vram_weights_bytes"] = row.vram.weights_bytes;
  j["vram_expert_pool_bytes"] = row.vram.expert_pool_bytes;
  j["vram_reserve_bytes"] = row.vram.reserve_bytes;
  j["vram_allocated_bytes"] = row.vram_allocated_bytes;
  j["expert_hit_rate"] = row.expert_hit_rate;
  j["expert_uses"] = row.experts.uses;
  j["expert_hits"] = row.experts.hits;
  j["expert_misses"] = row.experts.misses;
  j["expert_prefetch_hits"] = row.experts.prefetch_hits;
  j["expert_zero_copy_reads"] = row.experts.zero_copy_reads;
  j["expert_prefetches"] = row.experts.prefetches;
  j["expert_bytes_copied"] = row.experts.bytes_copied;
  j["expert_bytes_zero_copy"] = row.experts.bytes_zero_copy;
  j["expert_bytes_streamed"] = row.expert_bytes_streamed;
  j["expert_copy_wait_ms"] = row.experts.copy_wait_ms;
  j["expert_tokens"] = row.tokens_evaluated;
  j["expert_bytes_per_token"] = row.expert_bytes_per_token;
  j["copy_bandwidth_gbs"] = row.copy_bandwidth / 1e9;
  j["copy_bandwidth_buffer_bytes"] = report.bandwidth.buffer_bytes;
  j["copy_bandwidth_timer"] = report.bandwidth.timer;
  j["upload_bandwidth_gbs"] = report.upload.bytes_per_second / 1e9;
  j["upload_bandwidth_buffer_bytes"] = report.upload.buffer_bytes;
  j["active_bytes_per_token"] = row.model.active_bytes_per_token;
  j["bound_ts"] = optional_number(row.bound_ts);
  j["bound_fraction"] = optional_number(row.bound_fraction);
  j["resident_ts"] = optional_number(row.resident_ts);
  j["speed_vs_resident"] = optional_number(row.speed_vs_resident);
  j["model_ts"] = optional_number(row.model_ts);
  j["time_vs_model"] = optional_number(row.time_vs_model);
  j["ts_timer"] = "wall clock per eval";
  return j;
}

void write_json(std::FILE* out, const BenchReport& report) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : report.rows) {
    nlohmann::ordered_json fields = row_fields(row, report);
    if (row.profile) fields["profile"] = cli::profile_json(*row.profile, row.copy_bandwidth);
    rows.push_back(fields);
  }
  std::string text = rows.dump(2);
  std::fprintf(out, "%s\n", text.c_str());
}

}  // namespace vkmoe::bench
