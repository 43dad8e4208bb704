// `vkmoe tokenize --model PATH --text TEXT`: the token ids of TEXT, space-separated on one
// line; `--decode 1,2,3` prints the text of ids instead. PATH is a .gguf file or a folder
// with tokenizer files (tokenizer.json or tokenizer.model; weights are not needed).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "loader/base/error.h"
#include "loader/model/model_spec.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/tokenizer_files.h"

namespace vkmoe::cli {
namespace {

TokenizerVocab load_vocab(const std::string& path) {
  if (std::filesystem::is_directory(path)) return read_tokenizer_folder(path);
  TokenizerVocab vocab = load_model_spec(path).vocab;
  if (vocab.empty()) throw Error(ErrorCode::kNotFound, path + ": the file has no tokenizer");
  return vocab;
}

std::vector<uint32_t> parse_ids(const std::string& list) {
  std::vector<uint32_t> ids;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string item = list.substr(pos, comma - pos);
    size_t used = 0;
    unsigned long long id = 0;
    try {
      id = std::stoull(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || id > UINT32_MAX) {
      throw Error(ErrorCode::kInvalidArgument, "--decode: '" + item + "' is not a token id");
    }
    ids.push_back(static_cast<uint32_t>(id));
    pos = comma + 1;
  }
  return ids;
}

int run_tokenize(const std::vector<std::string>& argv) {
  Args args(argv, {"no-special"});
  const std::string model = args.require("model");
  const auto text = args.get("text");
  const auto decode = args.get("decode");
  const bool no_special = args.has_flag("no-special");
  args.finish();
  if (text.has_value() == decode.has_value()) {
    throw Error(ErrorCode::kInvalidArgument, "give exactly one of --text and --decode");
  }
  const Tokenizer tokenizer(load_vocab(model));
  if (text) {
    const std::vector<uint32_t> ids = tokenizer.encode(*text, !no_special);
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
    std::printf("%s\n", line.c_str());
  } else {
    const std::string out = tokenizer.decode(parse_ids(*decode), !no_special);
    std::printf("%s\n", out.c_str());
  }
  return 0;
}

const Command kTokenize("tokenize", "--model PATH (--text TEXT | --decode ID,ID,...) [--no-special]",
                        "token ids of a text (or the text of ids) with a model's tokenizer; "
                        "--no-special leaves out BOS/EOS and special-token text",
                        run_tokenize);

}  // namespace
}  // namespace vkmoe::cli
