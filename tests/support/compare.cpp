#include "tests/support/compare.h"

#include <cmath>
#include <sstream>

namespace vkmoe::test {

double relative_l2_error(std::span<const float> got, std::span<const float> want) {
  double diff = 0.0, ref = 0.0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    double d = static_cast<double>(got[i]) - want[i];
    diff += d * d;
    ref += static_cast<double>(want[i]) * want[i];
  }
  return ref > 0 ? std::sqrt(diff / ref) : std::sqrt(diff);
}

::testing::AssertionResult all_close(std::span<const float> got, std::span<const float> want, Tolerance tol,
                                     const std::string& what) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << what << ": size " << got.size() << " != expected " << want.size();
  }
  std::ostringstream bad;
  size_t n_bad = 0, n_nonfinite = 0;
  double max_abs = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool finite = std::isfinite(got[i]) || !std::isfinite(want[i]);
    double d = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (!finite) ++n_nonfinite;
    if (finite) max_abs = std::max(max_abs, d);
    if (!finite || (tol.max_abs >= 0 && d > tol.max_abs)) {
      if (n_bad < 8) bad << "\n    [" << i << "] got " << got[i] << ", expected " << want[i];
      ++n_bad;
    }
  }
  double rel = relative_l2_error(got, want);
  bool ok = n_bad == 0 && rel <= tol.rel_l2;
  if (ok) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << what << ": relative L2 error " << rel << " (tolerance " << tol.rel_l2 << "), max abs error " << max_abs;
  if (tol.max_abs >= 0) failure << " (tolerance " << tol.max_abs << ")";
  failure << ", " << n_nonfinite << " non-finite (unwritten?) elements, " << n_bad << " elements out of tolerance";
  if (n_bad == 0) {
    // Show the largest differences anyway, to locate an L2 failure.
    size_t shown = 0;
    for (size_t i = 0; i < got.size() && shown < 8; ++i) {
      if (std::fabs(static_cast<double>(got[i]) - want[i]) > 0.5 * max_abs && max_abs > 0) {
        failure << "\n    [" << i << "] got " << got[i] << ", expected " << want[i];
        ++shown;
      }
    }
  }
  return failure << bad.str();
}

}  // namespace vkmoe::test
