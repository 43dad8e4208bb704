#include "engine/kernels/format_variant.h"

#include <cctype>

namespace vkmoe::kernels {

std::string format_variant_suffix(TensorType type) {
  std::string suffix;
  for (char c : tensor_type_info(type).name) suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return suffix;
}

}  // namespace vkmoe::kernels
