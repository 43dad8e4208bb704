#pragma once
// Minimal flag parsing shared by the command-line tools: "--name value" and "--flag".
// Unknown flags are errors, so a typo never silently changes a run.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vkmoe::cli {

class Args {
 public:
  // `flags` lists the boolean flags (no value); every other "--x" takes one value.
  Args(const std::vector<std::string>& argv, std::set<std::string> flags = {});

  std::optional<std::string> get(const std::string& name);
  std::string require(const std::string& name);
  std::string get_or(const std::string& name, const std::string& fallback);
  int64_t get_int(const std::string& name, int64_t fallback);
  double get_double(const std::string& name, double fallback);
  bool has_flag(const std::string& name);
  // Throws if any option given was never asked for (call after reading all of them).
  void finish() const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::set<std::string> flags_given_;
  std::set<std::string> boolean_flags_;
  mutable std::set<std::string> used_;
};

}  // namespace vkmoe::cli
