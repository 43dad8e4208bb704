// Fuzzes the tokenizer.json and tokenizer.model readers, and the Tokenizer built from what
// they accept (encode, decode, streaming decode). Build and run for about a minute from the
// repository root (the loader itself is instrumented through CMAKE_CXX_FLAGS):
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DVKMOE_FUZZ=ON -DVKMOE_BUILD_TESTS=OFF \
//     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined"
//   cmake --build build-fuzz --target fuzz_tokenizer
//   mkdir -p build-fuzz/corpus-tokenizer
//   (printf '\0'; cat ../shared/goldens/hf/qwen3_moe/tokenizer.json) > build-fuzz/corpus-tokenizer/json
//   (printf '\1'; cat ../shared/goldens/hf/mixtral/tokenizer.model) > build-fuzz/corpus-tokenizer/model
//   build-fuzz/bin/fuzz_tokenizer -max_total_time=60 -max_len=70000 -rss_limit_mb=4096 build-fuzz/corpus-tokenizer
// Input: the first byte's low bit picks the format (0: tokenizer.json, 1: tokenizer.model),
// the rest is the file. Any vkmoe::Error is an accepted outcome; anything else is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loader/base/error.h"
#include "loader/tokenizer/hf_tokenizer_json.h"
#include "loader/tokenizer/sentencepiece_model.h"
#include "loader/tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  try {
    const std::span<const uint8_t> file(data + 1, size - 1);
    vkmoe::TokenizerVocab vocab =
        (data[0] & 1) != 0 ? vkmoe::read_sentencepiece_model(file, "fuzz/tokenizer.model")
                           : vkmoe::read_hf_tokenizer_json(std::string(file.begin(), file.end()), "fuzz/tokenizer.json");
    const vkmoe::Tokenizer tokenizer(std::move(vocab));
    // A fixed text that reaches every pre-tokenizer branch, and bytes of the input itself.
    const std::string fixed = "Hello  world\n\n don't 1234567 \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x98\x80 <s><|im_end|>\xFF";
    const std::string own(reinterpret_cast<const char*>(data), std::min<size_t>(size, 512));
    for (const std::string& text : {fixed, own}) {
      const std::vector<uint32_t> ids = tokenizer.encode(text);
      tokenizer.decode(ids);
      vkmoe::StreamingDecoder decoder(tokenizer, false);
      for (uint32_t id : ids) decoder.push(id);
      decoder.finish();
    }
  } catch (const vkmoe::Error&) {
  }
  return 0;
}
