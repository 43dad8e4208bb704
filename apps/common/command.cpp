#include "apps/common/command.h"

namespace vkmoe::cli {
namespace {
std::vector<const Command*>& table() {
  static std::vector<const Command*> t;
  return t;
}
}  // namespace

Command::Command(const char* name_, const char* usage_, const char* summary_, RunFn run_)
    : name(name_), usage(usage_), summary(summary_), run(run_) {
  table().push_back(this);
}

const std::vector<const Command*>& commands() { return table(); }

}  // namespace vkmoe::cli
