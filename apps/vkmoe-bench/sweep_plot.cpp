#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "apps/vkmoe-bench/sweep_report.h"

namespace vkmoe::bench {
namespace {

// The drawing area inside a 720 × 440 canvas; the margins hold the ticks, labels and title.
constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 80, kRight = 30, kTop = 50, kBottom = 60;

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double v, int digits = 4) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// An axis from lo to hi, both multiples of a 1/2/2.5/5 × 10^k step giving about five ticks.
struct Axis {
  double lo = 0, hi = 1, step = 1;

  static Axis covering(double min, double max) {
    if (!(max > min)) {
      const double pad = min != 0 ? std::fabs(min) * 0.1 : 1.0;
      min -= pad;
      max += pad;
    }
    const double raw = (max - min) / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
      if (m * magnitude >= raw) {
        step = m * magnitude;
        break;
      }
    }
    return {std::floor(min / step) * step, std::ceil(max / step) * step, step};
  }
  std::vector<double> ticks() const {
    std::vector<double> out;
    for (int i = 0; lo + i * step <= hi + step * 1e-9; ++i) out.push_back(lo + i * step);
    return out;
  }
  double fraction(double v) const { return (v - lo) / (hi - lo); }
};

}  // namespace

void write_sweep_svg(std::FILE* out, const BudgetSweep& sweep) {
  double max_bytes = 0;
  for (const auto& p : sweep.points) max_bytes = std::max(max_bytes, double(p.vram.total()));
  const bool gib = max_bytes >= double(1ull << 30);
  const double unit = gib ? double(1ull << 30) : double(1ull << 20);
  std::vector<double> xs, ys, errs;
  for (const auto& p : sweep.points) {
    xs.push_back(double(p.vram.total()) / unit);
    ys.push_back(p.avg_ts);
    errs.push_back(p.stddev_ts);
  }
  double x_min = xs.empty() ? 0 : *std::min_element(xs.begin(), xs.end());
  double x_max = xs.empty() ? 1 : *std::max_element(xs.begin(), xs.end());
  double y_max = 0;
  for (size_t i = 0; i < ys.size(); ++i) y_max = std::max(y_max, ys[i] + errs[i]);
  const Axis x_axis = Axis::covering(x_min, x_max);
  const Axis y_axis = Axis::covering(0, y_max > 0 ? y_max : 1);

  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double v) { return kLeft + x_axis.fraction(v) * plot_w; };
  auto py = [&](double v) { return kTop + (1 - y_axis.fraction(v)) * plot_h; };

  std::fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  std::fprintf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n",
               kWidth, kHeight, kWidth, kHeight);
  std::fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"white\"/>\n", kWidth, kHeight);
  const std::string title = sweep.model + ": " + sweep.test + " tokens/s vs VRAM budget";
  std::fprintf(out, "<text class=\"title\" x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-size=\"15\">%s</text>\n",
               kWidth / 2, kTop / 2 + 5, xml_escape(title).c_str());

  std::fprintf(out, "<g class=\"x-axis\">\n");
  for (double t : x_axis.ticks()) {
    std::fprintf(out, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\"%g\" stroke=\"#e0e0e0\"/>\n", px(t), kTop, px(t), kTop + plot_h);
    std::fprintf(out, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\"%g\" stroke=\"black\"/>\n", px(t), kTop + plot_h, px(t),
                 kTop + plot_h + 5);
    std::fprintf(out, "<text class=\"tick\" x=\"%.2f\" y=\"%g\" text-anchor=\"middle\">%s</text>\n", px(t), kTop + plot_h + 19,
                 number(t).c_str());
  }
  std::fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", kLeft, kTop + plot_h, kLeft + plot_w,
               kTop + plot_h);
  std::fprintf(out, "<text class=\"label\" x=\"%g\" y=\"%g\" text-anchor=\"middle\">VRAM used: weights + expert slots + KV cache and scratch (%s)</text>\n",
               kLeft + plot_w / 2, kHeight - 15, gib ? "GiB" : "MiB");
  std::fprintf(out, "</g>\n<g class=\"y-axis\">\n");
  for (double t : y_axis.ticks()) {
    std::fprintf(out, "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\" stroke=\"#e0e0e0\"/>\n", kLeft, py(t), kLeft + plot_w, py(t));
    std::fprintf(out, "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\" stroke=\"black\"/>\n", kLeft - 5, py(t), kLeft, py(t));
    std::fprintf(out, "<text class=\"tick\" x=\"%g\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", kLeft - 8, py(t) + 4,
                 number(t).c_str());
  }
  std::fprintf(out, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", kLeft, kTop, kLeft, kTop + plot_h);
  std::fprintf(out,
               "<text class=\"label\" x=\"%g\" y=\"%g\" text-anchor=\"middle\" transform=\"rotate(-90 %g %g)\">tokens/s (%s, mean "
               "± std)</text>\n",
               20.0, kTop + plot_h / 2, 20.0, kTop + plot_h / 2, xml_escape(sweep.test).c_str());
  std::fprintf(out, "</g>\n<g class=\"series\">\n");

  std::string points;
  for (size_t i = 0; i < xs.size(); ++i) points += (i ? " " : "") + number(px(xs[i]), 6) + "," + number(py(ys[i]), 6);
  std::fprintf(out, "<polyline points=\"%s\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n", points.c_str());
  for (size_t i = 0; i < xs.size(); ++i) {
    const SweepPoint& p = sweep.points[i];
    if (errs[i] > 0) {
      std::fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#1f77b4\"/>\n", px(xs[i]),
                   py(ys[i] - errs[i]), px(xs[i]), py(ys[i] + errs[i]));
    }
    std::fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"#1f77b4\"><title>%u/%u slots, %s %s: %s ± %s t/s, hit rate %.1f%%</title></circle>\n",
                 px(xs[i]), py(ys[i]), p.vram.expert_slots, p.vram.total_experts, number(xs[i]).c_str(), gib ? "GiB" : "MiB",
                 number(ys[i]).c_str(), number(errs[i]).c_str(), 100.0 * p.hit_rate);
  }
  std::fprintf(out, "</g>\n</svg>\n");
}

}  // namespace vkmoe::bench
