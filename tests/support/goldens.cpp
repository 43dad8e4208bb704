#include "tests/support/goldens.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace vkmoe::test {

std::string goldens_dir() {
  const char* env = std::getenv("VKMOE_GOLDENS_DIR");
  std::string dir = env != nullptr ? env : VKMOE_DEFAULT_GOLDENS_DIR;
  if (!std::filesystem::is_directory(dir)) {
    throw std::runtime_error("goldens folder not found: " + dir + " (set VKMOE_GOLDENS_DIR)");
  }
  return dir;
}

std::string golden_path(const std::string& relative) { return goldens_dir() + "/" + relative; }

}  // namespace vkmoe::test
