#include "tests/chat_template/oracle.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "loader/base/error.h"

namespace vkmoe::test {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::ordered_json read_ordered_json(const std::string& path) { return nlohmann::ordered_json::parse(read_text_file(path)); }

std::string source_dir() {
  if (const char* env = std::getenv("VKMOE_SOURCE_DIR")) return env;
  // ctest runs the suite in <build>/tests; the build's CMakeCache.txt names the sources.
  for (const char* cache : {"../CMakeCache.txt", "CMakeCache.txt", "../../CMakeCache.txt"}) {
    std::ifstream in(cache);
    std::string line;
    const std::string key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    while (std::getline(in, line))
      if (line.rfind(key, 0) == 0) return line.substr(key.size());
  }
  throw std::runtime_error("cannot find the source folder: set VKMOE_SOURCE_DIR or run from the build tree");
}

namespace {

nlohmann::ordered_json case_json(const ChatRequest& req) {
  auto token = [](const std::optional<std::string>& t) { return t ? nlohmann::ordered_json(*t) : nlohmann::ordered_json(nullptr); };
  return {{"messages", req.messages}, {"add_generation_prompt", req.add_generation_prompt},
          {"bos_token", token(req.bos_token)}, {"eos_token", token(req.eos_token)}, {"extra", req.extra}};
}

std::string run_oracle(const std::string& jobs_text, const std::string& script) {
  const std::string jobs_path = (std::filesystem::temp_directory_path() /
                                 ("vkmoe_chat_jobs_" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(jobs_path, std::ios::binary) << jobs_text;
  const std::string command = "/usr/bin/python3 '" + script + "' --batch '" + jobs_path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buf[65536];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  std::filesystem::remove(jobs_path);
  if (status != 0) throw std::runtime_error("jinja2 oracle failed (is /usr/bin/python3 with jinja2 installed?): " + output);
  return output;
}

std::vector<Rendered> render_with_jinja2(const std::vector<TemplateCase>& cases) {
  // Each distinct template is sent once; jobs refer to it by index.
  nlohmann::ordered_json jobs = {{"templates", nlohmann::ordered_json::array()}, {"jobs", nlohmann::ordered_json::array()}};
  std::vector<const std::string*> sources;
  for (const auto& c : cases) {
    size_t index = 0;
    while (index < sources.size() && *sources[index] != c.source) ++index;
    if (index == sources.size()) {
      sources.push_back(&c.source);
      jobs["templates"].push_back(c.source);
    }
    jobs["jobs"].push_back({{"template", index}, {"case", case_json(c.request)}});
  }
  const std::string jobs_text = jobs.dump();
  const std::string script = source_dir() + "/tests/chat_template/oracle/render.py";
  // ctest runs every test in its own process; the oracle's answers are cached in the
  // working folder, keyed by the jobs, the script and today's date (templates print it through
  // strftime_now, so yesterday's answers are stale), so python runs once per suite and day.
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char today[16];
  std::strftime(today, sizeof(today), "%Y-%m-%d", &local);
  const size_t key = std::hash<std::string>{}(jobs_text + read_text_file(script) + today);
  const std::string cache = "chat_oracle_" + std::to_string(key) + ".json";
  std::string output;
  if (std::filesystem::exists(cache)) {
    output = read_text_file(cache);
  } else {
    output = run_oracle(jobs_text, script);
    const std::string partial = cache + "." + std::to_string(::getpid());
    std::ofstream(partial, std::ios::binary) << output;
    std::filesystem::rename(partial, cache);
  }
  const auto results = nlohmann::ordered_json::parse(output);
  if (results.size() != cases.size()) throw std::runtime_error("jinja2 oracle returned the wrong number of results");
  std::vector<Rendered> out;
  for (const auto& r : results) {
    Rendered x;
    x.ok = r.at("ok").get<bool>();
    if (x.ok) x.text = r.at("text").get<std::string>();
    else x.error = r.at("error").get<std::string>();
    out.push_back(std::move(x));
  }
  return out;
}

Rendered render_with_vkmoe(const TemplateCase& c) {
  Rendered r;
  try {
    r.text = render_chat_template(c.source, c.request);
    r.ok = true;
  } catch (const Error& e) {
    r.error = e.what();
  }
  return r;
}

std::string compare_outcomes(const Rendered& expected, const Rendered& actual) {
  if (expected.ok && actual.ok) {
    if (expected.text == actual.text) return "";
    size_t i = 0;
    while (i < expected.text.size() && i < actual.text.size() && expected.text[i] == actual.text[i]) ++i;
    return "texts differ at byte " + std::to_string(i) + "\n--- jinja2:\n" + expected.text + "\n--- vkmoe:\n" + actual.text;
  }
  if (expected.ok) return "jinja2 rendered, vkmoe failed: " + actual.error + "\n--- jinja2:\n" + expected.text;
  if (actual.ok) return "jinja2 failed (" + expected.error + "), vkmoe rendered:\n" + actual.text;
  const std::string raised = "TemplateError: ";
  if (expected.error.rfind(raised, 0) == 0) {
    const std::string message = expected.error.substr(raised.size());
    if (actual.error.find(message) == std::string::npos)
      return "both failed, but vkmoe's error lacks the template's message '" + message + "': " + actual.error;
  }
  return "";
}

}  // namespace

const std::vector<Rendered>& OracleSuite::expected() {
  if (!expected_) expected_ = render_with_jinja2(cases_);
  return *expected_;
}

std::string OracleSuite::difference(size_t index) {
  return compare_outcomes(expected().at(index), render_with_vkmoe(cases_.at(index)));
}

}  // namespace vkmoe::test
