// libFuzzer target for the GGUF parser, the metadata accessors and the tokenizer metadata
// reader. Build and run (from the repository root; the CXX flags instrument the loader
// library itself, without which the fuzzer cannot see coverage inside the parser):
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKMOE_FUZZ=ON \
//       -DVKMOE_BUILD_TESTS=OFF "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined"
//   cmake --build build-fuzz --target fuzz_gguf
//   mkdir -p build-fuzz/gguf-corpus && for f in ../shared/goldens/gguf/*.gguf; do
//     head -c 65536 "$f" > "build-fuzz/gguf-corpus/$(basename "$f")"; done
//   build-fuzz/bin/fuzz_gguf build-fuzz/gguf-corpus -max_total_time=60 -max_len=4096 -rss_limit_mb=2048
//
// Golden prefixes stop inside the tokenizer arrays; add a few small whole files made with
// GgufWriter (any tests/gguf writer output) so mutations reach the tensor table quickly.
// Any crash, sanitizer report, or exception other than vkmoe::Error is a bug.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "loader/base/error.h"
#include "loader/gguf/gguf_part.h"
#include "loader/gguf/gguf_vocab.h"

namespace {

void touch_metadata(const vkmoe::GgufMetadata& m) {
  for (const auto& [key, value] : m.entries()) {
    (void)vkmoe::GgufMetadata::printable(value);
    (void)value.type_description();
    try {
      if (value.type == vkmoe::GgufType::kArray) {
        (void)m.get_int_array(key);
      } else {
        (void)m.get_u32(key);
      }
    } catch (const vkmoe::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    vkmoe::GgufPart part = vkmoe::parse_gguf_part(std::span<const uint8_t>(data, size), "fuzz.gguf");
    touch_metadata(part.metadata);
    for (const auto& t : part.tensors) {
      if (t.bytes > 0) (void)(t.data.front() + t.data.back());  // the views must lie inside the input
    }
    (void)vkmoe::gguf_tokenizer_vocab(part.metadata, "fuzz.gguf");
  } catch (const vkmoe::Error&) {
  }
  return 0;
}
