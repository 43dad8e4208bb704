#pragma once
// Where the demo model vkmoe ships lives (models/vkmoe-demo in the source tree; the
// VKMOE_DEMO_MODEL_DIR environment variable overrides it). Tests that need it fail, never
// skip, when it is missing.
#include <string>

namespace vkmoe::test {

std::string demo_model_path(const std::string& relative = "");

}  // namespace vkmoe::test
