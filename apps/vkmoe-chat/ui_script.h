#pragma once
// --script FILE: a list of actions, one per line, run against the live window through the
// same ChatApp methods and UI state the mouse and keyboard use, a frame at a time:
//
//   open PATH              type the path, press Load, wait until the model is loaded
//   open-bad PATH          press Load on a path that must fail; wait for the error banner
//   expect-error TEXT      the error banner must contain TEXT
//   dismiss                close the error banner
//   system TEXT            set the system prompt
//   type TEXT              type into the message box (\n in TEXT is a newline)
//   send | regenerate | stop
//   wait                   until the reply has finished
//   wait-tokens N          until the reply being generated holds at least N characters
//   edit INDEX TEXT        edit message INDEX (0-based) and resend from there
//   set NAME VALUE         temperature, top_k, top_p, min_p, repetition_penalty, seed, max_tokens,
//                          vram_budget_mib, expert_lfu, expert_prefetch, expert_zero_copy (0 or 1;
//                          the last four apply at the next open)
//   save | new | rename TITLE | export PATH
//   delete                 delete the current chat (as the sidebar's Delete button)
//   expect-chats N         the sidebar must list N chats
//   screenshot PATH        write the next frame as a PNG
//   frames N               let N frames pass
//   expect-messages N      the conversation must hold N messages
//   expect-streaming       the loaded model's experts must stream (its VRAM budget holds too few)
//   expect-expert-usage    the expert heat map must have counts for the loaded model
//
// Blank lines and lines starting with # are skipped. The script fails at the first action
// that cannot be done, an error banner showing when an action other than open-bad,
// expect-error, dismiss, frames or screenshot starts, or a wait longer than its timeout.
#include <chrono>
#include <string>
#include <vector>

namespace vkmoe_chat {

class ChatApp;
struct UiState;

class UiScript {
 public:
  enum class State { kRunning, kPassed, kFailed };

  // Throws std::runtime_error when the file cannot be read or a line is not an action.
  explicit UiScript(const std::string& path);

  // Runs actions until one must wait for later frames; call once per frame.
  State advance(ChatApp& app, UiState& ui);
  const std::string& failure() const { return failure_; }
  // A screenshot the next rendered frame must be written to, or empty; the frame loop
  // clears it once written.
  std::string screenshot_path;

 private:
  struct Action {
    int line = 0;
    std::string verb;
    std::string arg;
  };
  // True when the action is done; false to call again next frame.
  bool run(const Action& a, ChatApp& app, UiState& ui);
  State fail(const Action& a, const std::string& why);

  std::vector<Action> actions_;
  size_t next_ = 0;
  int frames_left_ = -1;
  bool started_ = false;  // the current action has begun (loads, waits, screenshots)
  std::chrono::steady_clock::time_point started_at_;
  std::string failure_;
};

}  // namespace vkmoe_chat
