// libFuzzer target for the safetensors reader: any bytes must parse or throw vkmoe::Error,
// never crash, hang or read outside the input. Valid files are also read element by element.
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
//     -DVKMOE_FUZZ=ON -DVKMOE_SANITIZE=ON -DVKMOE_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link
//   cmake --build build-fuzz --target fuzz_safetensors
//   mkdir -p build-fuzz/corpus-safetensors
//   cp ../shared/goldens/gguf/mixtral-Q8_0.expected.safetensors build-fuzz/corpus-safetensors/
//   build-fuzz/bin/fuzz_safetensors -max_total_time=60 -max_len=4096 build-fuzz/corpus-safetensors
//
// VKMOE_SANITIZE and fuzzer-no-link instrument the loader library itself, so ASan sees its
// reads and libFuzzer its branches (the target's own flags cover only this file).
#include <cstddef>
#include <cstdint>
#include <span>

#include "loader/base/error.h"
#include "loader/safetensors/safetensors_file.h"
#include "loader/safetensors/safetensors_values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    vkmoe::SafetensorsFile file = vkmoe::SafetensorsFile::parse("fuzz.safetensors", std::span<const uint8_t>(data, size), nullptr);
    for (const vkmoe::SafetensorsTensor& t : file.tensors()) {
      try {
        volatile size_t n = vkmoe::to_float_vector(t).size();
        (void)n;
      } catch (const vkmoe::Error&) {
      }
      try {
        volatile size_t n = vkmoe::to_int32_vector(t).size();
        (void)n;
      } catch (const vkmoe::Error&) {
      }
    }
  } catch (const vkmoe::Error&) {
  }
  return 0;
}
