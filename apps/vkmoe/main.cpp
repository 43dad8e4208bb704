// vkmoe: the command-line front end. `vkmoe help` lists the subcommands; each lives in its
// own cmd_*.cpp file in this folder.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "apps/common/command.h"
#include "loader/base/error.h"

namespace {

void print_help() {
  std::printf("usage: vkmoe <command> [options]\n\ncommands:\n");
  for (const auto* c : vkmoe::cli::commands()) std::printf("  %-12s %s\n", c->name, c->summary);
  std::printf("\n`vkmoe <command> --help` shows a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  std::string name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto* c : vkmoe::cli::commands()) {
    if (name != c->name) continue;
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::printf("usage: vkmoe %s %s\n%s\n", c->name, c->usage.c_str(), c->summary);
      if (!c->details.empty()) std::printf("\n%s", c->details.c_str());
      return 0;
    }
    try {
      return c->run(args);
    } catch (const vkmoe::Error& e) {
      std::fprintf(stderr, "vkmoe %s: error: %s\n", c->name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vkmoe %s: error: %s\n", c->name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "vkmoe: unknown command '%s' (see `vkmoe help`)\n", name.c_str());
  return 2;
}
