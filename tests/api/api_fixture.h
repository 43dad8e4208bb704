#pragma once
// Fixture for the C API suites: one vkmoe_context per test process on vkmoe's own device with
// the Khronos validation layer on; any validation message during a test fails it. Helpers
// load golden models and run turns to their end through the frame-budgeted step.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vkmoe/vkmoe.h"

namespace vkmoe::test {

struct TurnRun {
  vkmoe_status status = VKMOE_OK;
  vkmoe_finish_reason reason = VKMOE_FINISH_NONE;
  std::vector<uint32_t> tokens;
  std::string text;
  uint32_t calls = 0;           // step calls it took
  uint32_t most_units = 0;      // most units one call submitted
  uint32_t over_budget = 0;     // calls that submitted several units estimated above the budget
};

// A greedy turn on `input` for up to max_new tokens (`input` must outlive it).
vkmoe_turn_info greedy_turn(const std::vector<uint32_t>& input, uint32_t max_new);

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static vkmoe_context context();
  // A golden model loaded blocking (fails the test on error); destroyed in TearDown.
  vkmoe_model load(const std::string& golden_relative, uint64_t vram_budget = 0);
  vkmoe_session session(vkmoe_model model, uint32_t max_ctx = 64, uint32_t max_tokens = 0);
  // A model made elsewhere, destroyed in TearDown after the sessions.
  void own(vkmoe_model model) { models_.push_back(model); }
  // Steps `session`'s turn to its end with `budget_us` per call.
  static TurnRun step_to_end(vkmoe_session session, uint32_t budget_us);

 private:
  std::vector<vkmoe_session> sessions_;
  std::vector<vkmoe_model> models_;
  uint32_t validation_before_ = 0;
};

}  // namespace vkmoe::test
