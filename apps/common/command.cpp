#include "apps/common/command.h"

namespace vkmoe::cli {
namespace {
std::vector<const Command*>& table() {
  static std::vector<const Command*> t;
  return t;
}
}  // namespace

Command::Command(const char* name_, std::string usage_, const char* summary_, RunFn run_, std::string details_)
    : name(name_), usage(std::move(usage_)), summary(summary_), run(run_), details(std::move(details_)) {
  table().push_back(this);
}

const std::vector<const Command*>& commands() { return table(); }

}  // namespace vkmoe::cli
