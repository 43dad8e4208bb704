#include "engine/experts/expert_options.h"

#include <cmath>
#include <cstdlib>

#include "loader/base/error.h"

namespace vkmoe {

const char* expert_policy_name(ExpertPolicy policy) { return policy == ExpertPolicy::kLfu ? "lfu" : "lru"; }

ExpertPolicy parse_expert_policy(const std::string& text) {
  if (text == "lru") return ExpertPolicy::kLru;
  if (text == "lfu") return ExpertPolicy::kLfu;
  throw Error(ErrorCode::kInvalidArgument, "expert policy '" + text + "': expected lru or lfu");
}

VramBudget parse_vram_budget(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument,
                 "VRAM budget '" + text + "': " + why + " (examples: 512MiB, 6GiB, 1.5GB, 0.5 or 50% of free VRAM)");
  };
  const char* begin = text.c_str();
  char* end = nullptr;
  double value = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(value) || value <= 0) throw bad("not a positive number");
  std::string unit(end);
  VramBudget budget;
  if (unit.empty() && value <= 1.0) {
    budget.fraction = value;
    return budget;
  }
  if (unit == "%") {
    if (value > 100) throw bad("more than 100%");
    budget.fraction = value / 100;
    return budget;
  }
  struct Unit {
    const char* name;
    double scale;
  };
  static const Unit units[] = {{"", 1},          {"B", 1},          {"KiB", 1024.0},     {"MiB", 1048576.0},
                               {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}, {"KB", 1e3}, {"MB", 1e6},
                               {"GB", 1e9},      {"TB", 1e12}};
  for (const Unit& u : units) {
    if (unit == u.name) {
      double bytes = value * u.scale;
      if (bytes >= 1.8e19) throw bad("too large");
      budget.bytes = static_cast<uint64_t>(bytes);
      if (budget.bytes == 0) throw bad("less than one byte");
      return budget;
    }
  }
  throw bad("unknown unit '" + unit + "'");
}

}  // namespace vkmoe
