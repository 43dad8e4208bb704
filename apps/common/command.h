#pragma once
// The subcommand table of the `vkmoe` tool. Each subcommand is one file that defines a
// static Command object; its constructor adds it to the table, so main() needs no list.
#include <string>
#include <string_view>
#include <vector>

namespace vkmoe::cli {

struct Command {
  using RunFn = int (*)(const std::vector<std::string>& args);
  Command(const char* name, std::string usage, const char* summary, RunFn run, std::string details = "");
  const char* name;
  std::string usage;    // "--model PATH [--text TEXT]"
  const char* summary;  // one line for `vkmoe help`
  RunFn run;
  std::string details;  // what the options mean, for `vkmoe <command> --help`; may be empty
};

const std::vector<const Command*>& commands();

}  // namespace vkmoe::cli
