// libFuzzer target for the chat-template engine: any template source must render or throw
// vkmoe::Error, never crash, hang, recurse off the stack or grow without bound. Build and
// run (from the repository root):
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKMOE_FUZZ=ON \
//       -DVKMOE_BUILD_TESTS=OFF "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined"
//   cmake --build build-fuzz --target fuzz_chat_template
//   mkdir -p build-fuzz/chat-corpus && cp tests/chat_template/templates/*.jinja build-fuzz/chat-corpus/
//   build-fuzz/bin/fuzz_chat_template build-fuzz/chat-corpus -max_total_time=60 -max_len=8192 \
//       -rss_limit_mb=2048 -timeout=20
//
// The first byte chooses add_generation_prompt and whether bos/eos are set; the rest is the
// template. The conversation has every message shape the published templates look at.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "loader/base/error.h"
#include "loader/chat/chat_template.h"

namespace {

const vkmoe::ChatRequest& base_request() {
  static const vkmoe::ChatRequest req = [] {
    vkmoe::ChatRequest r;
    r.messages = nlohmann::ordered_json::parse(R"([
      {"role": "system", "content": "sys"},
      {"role": "user", "content": "héllo 🙂"},
      {"role": "assistant", "content": "<think>\nr\n</think>\n\nok", "thinking": "r",
       "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": [1, 2.5, null, true]}}}]},
      {"role": "tool", "content": "{\"x\": 1}"},
      {"role": "user", "content": ""}])");
    r.extra = nlohmann::ordered_json::parse(R"({"tools": [{"type": "function", "function": {"name": "f",
      "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "array"}}, "required": ["a"]}}}]})");
    return r;
  }();
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  vkmoe::ChatRequest req = base_request();
  req.add_generation_prompt = data[0] & 1;
  if (data[0] & 2) req.bos_token = "<s>";
  if (data[0] & 4) req.eos_token = "</s>";
  const std::string source(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)vkmoe::render_chat_template(source, req);
  } catch (const vkmoe::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
