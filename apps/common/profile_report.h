#pragma once
// The kernel profile of `vkmoe-bench --profile` and `vkmoe run --profile`, per token: for each
// kernel family its calls, GPU time, bytes read and written, achieved bandwidth and its
// fraction of the copy bandwidth; then copies, barriers and submission gaps, which with the
// families add up to the steps' GPU time; and the dispatches, barriers, submissions and host
// waits a token costs.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/profile/step_profile.h"

namespace vkmoe::cli {

// `copy_bytes_per_second` counts bytes read + written, as the families' GB/s do.
nlohmann::ordered_json profile_json(const StepProfile& profile, double copy_bytes_per_second);
void write_profile_markdown(std::FILE* out, const std::string& title, const StepProfile& profile,
                            double copy_bytes_per_second);

}  // namespace vkmoe::cli
