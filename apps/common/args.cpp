#include "apps/common/args.h"

#include <stdexcept>

#include "loader/base/error.h"

namespace vkmoe::cli {

Args::Args(const std::vector<std::string>& argv, std::set<std::string> flags) : boolean_flags_(std::move(flags)) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-') throw Error(ErrorCode::kInvalidArgument, "unexpected argument '" + a + "'");
    std::string name = a.substr(a.find_first_not_of('-'));
    if (auto eq = name.find('='); eq != std::string::npos) {
      values_.emplace_back(name.substr(0, eq), name.substr(eq + 1));
    } else if (boolean_flags_.count(name)) {
      flags_given_.insert(name);
    } else {
      if (i + 1 >= argv.size()) throw Error(ErrorCode::kInvalidArgument, "option --" + name + " needs a value");
      values_.emplace_back(name, argv[++i]);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) {
  used_.insert(name);
  std::optional<std::string> out;
  for (auto& [k, v] : values_) {
    if (k == name) out = v;
  }
  return out;
}

std::string Args::require(const std::string& name) {
  auto v = get(name);
  if (!v) throw Error(ErrorCode::kInvalidArgument, "missing required option --" + name);
  return *v;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) { return get(name).value_or(fallback); }

int64_t Args::get_int(const std::string& name, int64_t fallback) {
  auto v = get(name);
  if (!v) return fallback;
  try {
    size_t pos = 0;
    int64_t x = std::stoll(*v, &pos);
    if (pos != v->size()) throw std::invalid_argument("trailing characters");
    return x;
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidArgument, "--" + name + " expects an integer, got '" + *v + "'");
  }
}

double Args::get_double(const std::string& name, double fallback) {
  auto v = get(name);
  if (!v) return fallback;
  try {
    size_t pos = 0;
    double x = std::stod(*v, &pos);
    if (pos != v->size()) throw std::invalid_argument("trailing characters");
    return x;
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidArgument, "--" + name + " expects a number, got '" + *v + "'");
  }
}

bool Args::has_flag(const std::string& name) {
  used_.insert(name);
  return flags_given_.count(name) > 0;
}

void Args::finish() const {
  for (auto& [k, v] : values_) {
    if (!used_.count(k)) throw Error(ErrorCode::kInvalidArgument, "unknown option --" + k);
  }
  for (auto& k : flags_given_) {
    if (!used_.count(k)) throw Error(ErrorCode::kInvalidArgument, "unknown option --" + k);
  }
}

}  // namespace vkmoe::cli
