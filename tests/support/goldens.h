#pragma once
// Where ../shared/goldens is: $VKMOE_GOLDENS_DIR, else the folder CMake was configured with
// (-DVKMOE_GOLDENS_DIR). A missing folder is a test failure, never a silent skip.
#include <string>

namespace vkmoe::test {

// Throws (failing the test) when the folder does not exist.
std::string goldens_dir();
std::string golden_path(const std::string& relative);

}  // namespace vkmoe::test
