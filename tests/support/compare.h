#pragma once
// Comparing a kernel's output with its CPU reference: relative L2 error, max absolute error,
// NaN/Inf detection (outputs are poisoned with NaN before a run, so an unwritten element
// shows up as NaN), and the first mismatching indices in the failure message.
#include <gtest/gtest.h>

#include <span>
#include <string>

namespace vkmoe::test {

struct Tolerance {
  double rel_l2 = 1e-6;    // ||got - want|| / ||want||
  double max_abs = -1.0;   // per element |got - want|; negative: not checked
};

::testing::AssertionResult all_close(std::span<const float> got, std::span<const float> want, Tolerance tol,
                                     const std::string& what = "output");

double relative_l2_error(std::span<const float> got, std::span<const float> want);

}  // namespace vkmoe::test
