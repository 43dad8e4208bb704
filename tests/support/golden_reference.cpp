#include "tests/support/golden_reference.h"

#include "loader/safetensors/safetensors_file.h"
#include "loader/safetensors/safetensors_values.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {

Reference read_reference(const std::string& path) {
  auto file = SafetensorsFile::open(path);
  Reference r;
  for (int32_t id : to_int32_vector(file.require("prompt_ids"))) r.prompt.push_back(static_cast<uint32_t>(id));
  for (int32_t id : to_int32_vector(file.require("greedy_ids"))) r.greedy.push_back(static_cast<uint32_t>(id));
  r.logits = to_float_vector(file.require("logits"));
  if (const auto* h = file.find("hidden_states")) r.hidden = to_float_vector(*h);
  return r;
}

std::string case_name(const GoldenCase& c) { return c.arch + "_" + c.source; }

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << case_name(c); }

std::string model_path(const GoldenCase& c) {
  return c.source == "hf" ? golden_path("hf/" + c.arch) : golden_path("gguf/" + c.arch + "-" + c.source + ".gguf");
}

std::string reference_path(const GoldenCase& c) {
  bool float_source = c.source == "hf" || c.source == "F16" || c.source == "F32" || c.source == "BF16";
  return float_source ? golden_path("hf/" + c.arch + "/expected.safetensors")
                      : golden_path("gguf/" + c.arch + "-" + c.source + ".expected.safetensors");
}

}  // namespace vkmoe::test
