// vkmoe-bench --sweep-budget: a CSV row per expert-slot count, evenly spaced from top-k to
// every expert, and an SVG chart that python3's XML parser reads (an independent check that
// the hand-written SVG is well-formed) with the structure a chart needs.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/cli_run.h"
#include "tests/bench/golden_figures.h"

namespace vkmoe::test {
namespace {

std::vector<std::vector<std::string>> csv_lines(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    out.push_back(fields);
  }
  return out;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column '" << name << "'";
  return 0;
}

// Summarises the SVG with python3's xml.etree: root tag, counts of the chart's parts, the
// polyline's point count and all text, as JSON.
nlohmann::json svg_summary(const std::string& svg_path) {
  const std::string script = scratch_path(".py");
  {
    std::FILE* f = std::fopen(script.c_str(), "w");
    std::fputs(
        "import json, sys, xml.etree.ElementTree as ET\n"
        "ns = '{http://www.w3.org/2000/svg}'\n"
        "root = ET.parse(sys.argv[1]).getroot()\n"
        "def all_of(tag): return list(root.iter(ns + tag))\n"
        "lines = all_of('polyline')\n"
        "print(json.dumps({'root': root.tag, 'width': root.get('width'), 'height': root.get('height'),\n"
        "  'polylines': len(lines), 'points': [len(p.get('points').split()) for p in lines],\n"
        "  'circles': len(all_of('circle')),\n"
        "  'x_ticks': [t.text for g in all_of('g') if g.get('class') == 'x-axis' for t in g.iter(ns + 'text') if t.get('class') == 'tick'],\n"
        "  'y_ticks': [t.text for g in all_of('g') if g.get('class') == 'y-axis' for t in g.iter(ns + 'text') if t.get('class') == 'tick'],\n"
        "  'texts': [''.join(t.itertext()) for t in all_of('text')]}))\n",
        f);
    std::fclose(f);
  }
  const std::string out = scratch_path(".json");
  int status = std::system(("python3 " + shell_quote(script) + " " + shell_quote(svg_path) + " >" + shell_quote(out)).c_str());
  std::string text = read_text(out);
  std::remove(script.c_str());
  std::remove(out.c_str());
  if (status != 0) {
    ADD_FAILURE() << "python3 could not parse " << svg_path << " as XML";
    return nullptr;
  }
  return nlohmann::json::parse(text);
}

TEST(BenchSweep, WritesOneCsvRowPerSlotCountAndAWellFormedChart) {
  ExpectedModel e = expected_model();
  const uint32_t total = e.n_layer * e.n_expert;
  const std::string csv_path = scratch_path(".csv");
  const std::string svg_path = scratch_path(".svg");
  CliRun r = run_bench(model_args("-n 2 -r 2 --warmup 0 --sweep-budget 3 --sweep-csv " + shell_quote(csv_path) + " --plot " +
                                  shell_quote(svg_path)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "the CSV goes to --sweep-csv: " << r.out;

  auto csv = csv_lines(read_text(csv_path));
  ASSERT_EQ(csv.size(), 4u) << "a header and 3 points";
  const auto& h = csv[0];
  // Three points evenly spaced from top-k to every expert.
  const uint32_t expected_slots[] = {e.n_expert_used, (e.n_expert_used + total) / 2, total};
  uint64_t last_budget = 0;
  for (size_t i = 1; i < csv.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(csv[i].size(), h.size());
    EXPECT_EQ(csv[i][column(h, "model")], "qwen3_moe-F16.gguf");
    EXPECT_EQ(csv[i][column(h, "test")], "tg2");
    EXPECT_EQ(std::stoul(csv[i][column(h, "expert_slots")]), expected_slots[i - 1]);
    EXPECT_EQ(std::stoul(csv[i][column(h, "total_experts")]), total);
    uint64_t budget = std::stoull(csv[i][column(h, "budget_bytes")]);
    EXPECT_GT(budget, last_budget) << "more slots take more VRAM";
    EXPECT_GE(budget - last_budget, i == 1 ? 0 : (expected_slots[i - 1] - expected_slots[i - 2]) * e.expert_bytes);
    last_budget = budget;
    EXPECT_GT(std::stod(csv[i][column(h, "avg_ts")]), 0);
    EXPECT_GE(std::stod(csv[i][column(h, "stddev_ts")]), 0);
    double hit_rate = std::stod(csv[i][column(h, "expert_hit_rate")]);
    EXPECT_GE(hit_rate, 0);
    EXPECT_LE(hit_rate, 1);
    EXPECT_GE(std::stod(csv[i][column(h, "bytes_streamed_per_token")]), 0);
  }
  EXPECT_GT(std::stod(csv[1][column(h, "bytes_streamed_per_token")]), 0) << "top-k slots must stream";

  nlohmann::json svg = svg_summary(svg_path);
  ASSERT_FALSE(svg.is_null());
  EXPECT_EQ(svg.at("root"), "{http://www.w3.org/2000/svg}svg");
  EXPECT_EQ(svg.at("polylines"), 1);
  EXPECT_EQ(svg.at("points"), nlohmann::json::array({3}));
  EXPECT_EQ(svg.at("circles"), 3);
  EXPECT_GE(svg.at("x_ticks").size(), 2u);
  EXPECT_GE(svg.at("y_ticks").size(), 2u);
  std::string texts = svg.at("texts").dump();
  EXPECT_NE(texts.find("tokens/s"), std::string::npos) << texts;
  EXPECT_NE(texts.find("VRAM"), std::string::npos) << texts;
  EXPECT_NE(texts.find("qwen3_moe-F16.gguf"), std::string::npos) << texts;
  std::remove(csv_path.c_str());
  std::remove(svg_path.c_str());
}

TEST(BenchSweep, WritesTheCsvToStdoutWithoutSweepCsv) {
  CliRun r = run_bench(model_args("-n 1 -r 1 --warmup 0 --sweep-budget 2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto csv = csv_lines(r.out);
  ASSERT_EQ(csv.size(), 3u) << r.out;
  EXPECT_EQ(csv[0][0], "model");
  EXPECT_NE(r.err.find("sweep 2/2"), std::string::npos) << "progress goes to stderr: " << r.err;
}

}  // namespace
}  // namespace vkmoe::test
