#pragma once
// The demo model vkmoe ships in models/vkmoe-demo (trained by tools/train_demo_model): what
// `vkmoe chat`, `vkmoe run` and vkmoe-chat open when no --model is given. The path is the
// source tree's, compiled in by apps/CMakeLists.txt.
#include <string>

namespace vkmoe::cli {

inline std::string demo_model_path() { return VKMOE_DEMO_MODEL; }

}  // namespace vkmoe::cli
