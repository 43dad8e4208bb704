#include "tests/support/demo_model.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace vkmoe::test {

std::string demo_model_path(const std::string& relative) {
  const char* env = std::getenv("VKMOE_DEMO_MODEL_DIR");
  const std::string dir = env != nullptr ? env : VKMOE_DEFAULT_DEMO_MODEL_DIR;
  if (!std::filesystem::is_directory(dir)) {
    throw std::runtime_error("demo model folder not found: " + dir + " (set VKMOE_DEMO_MODEL_DIR)");
  }
  return relative.empty() ? dir : dir + "/" + relative;
}

}  // namespace vkmoe::test
