#pragma once
// The goldens' end-to-end cases: where a model and its reference outputs live, and the
// reference itself (../shared/goldens/README.md describes expected.safetensors).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace vkmoe::test {

struct GoldenCase {
  std::string arch;    // folder under hf/
  std::string source;  // "hf" or a GGUF type such as "F16" or "Q4_K_M"
};

// <arch>_<source>: the case's test name.
std::string case_name(const GoldenCase& c);
// A failing case names itself, not its bytes.
void PrintTo(const GoldenCase& c, std::ostream* os);

struct Reference {
  std::vector<uint32_t> prompt;
  std::vector<float> logits;     // (T, V)
  std::vector<float> hidden;     // (L + 1, T, H), empty when the file has none
  std::vector<uint32_t> greedy;  // (12)
};

Reference read_reference(const std::string& path);

// hf/<arch> or gguf/<arch>-<source>.gguf.
std::string model_path(const GoldenCase& c);
// Float files share hf/<arch>/expected.safetensors; a quantized file has its own reference,
// computed from its dequantized weights: gguf/<arch>-<source>.expected.safetensors.
std::string reference_path(const GoldenCase& c);

}  // namespace vkmoe::test
