#pragma once
// What a correct benchmark reports for the golden file, from the goldens' MANIFEST.json
// tensor table (GGUF names, types, ne) and the Hugging Face config.json, not from vkmoe's loader.
#include <cstdint>
#include <string>

namespace vkmoe::test {

struct ExpectedModel {
  uint64_t params_total = 0;
  uint64_t params_active = 0;
  uint64_t bytes = 0;
  uint64_t expert_tensor_bytes = 0;  // every ffn_{gate,up,down}_exps tensor
  double active_bytes_per_token = 0;
  std::string weight_type;
  uint32_t n_layer = 0;
  uint32_t n_expert = 0;             // per layer
  uint32_t n_expert_used = 0;        // top-k
  uint64_t expert_bytes = 0;         // one expert's gate + up + down (the same in every layer here)
};

ExpectedModel expected_model();

}  // namespace vkmoe::test
