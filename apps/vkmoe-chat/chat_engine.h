#pragma once
// vkmoe on the window's device, through the public C API only: the context adopting the
// app's VkDevice, a model loaded in the background, one session, and turns advanced a frame's
// share at a time. Models whose experts stream cannot step without waiting on the GPU, so
// their turns run vkmoe_session_generate on a worker thread instead; either way the UI thread
// never waits on generation. Failures become messages (last_error), never exceptions.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vkmoe/vkmoe.h"

namespace vkmoe_chat {

struct LoadPlan {
  std::string path;
  uint64_t vram_budget_bytes = 0;  // 0: all free device memory
  uint32_t max_ctx = 0;            // 0: the model's, at most 4096
  bool expert_lfu = false;         // how streamed experts run (vkmoe_model_load_info)
  bool expert_prefetch = true;
  bool expert_zero_copy = true;
};

// What a model file is and needs, known before any weight is loaded.
struct ModelPreview {
  bool ok = false;
  std::string error;
  uint64_t file_bytes = 0;
  vkmoe_model_memory memory{};
};

enum class LoadState { kNone, kLoading, kReady, kFailed };

struct ChatTurnMessage {
  std::string role;
  std::string content;
};

struct TurnRequest {
  std::string prompt;  // the rendered conversation, ending with the assistant's opening
  bool add_special = false;
  uint32_t max_new_tokens = 0;
  vkmoe_sampling sampling = vkmoe_sampling_default();
};

// What one frame of a turn produced.
struct TurnProgress {
  std::string text;  // new text since the last frame, or the whole reply when `whole_reply`
  bool whole_reply = false;
  bool finished = false;
  vkmoe_finish_reason finish_reason = VKMOE_FINISH_NONE;
  std::string error;  // set when the turn failed
};

class ChatEngine {
 public:
  ChatEngine() = default;
  ~ChatEngine();
  ChatEngine(const ChatEngine&) = delete;
  ChatEngine& operator=(const ChatEngine&) = delete;

  // Adopts the host's device; false (and last_error) when vkmoe cannot use it.
  bool attach(const vkmoe_external_device& device);
  bool attached() const { return context_ != nullptr; }
  vkmoe_context_info context_info() const;

  ModelPreview preview(const LoadPlan& plan);
  // Drops the current model and starts loading `plan` in the background.
  bool start_load(const LoadPlan& plan);
  void cancel_load();
  // Polls the background load; on success creates the session.
  LoadState poll_load();
  float load_progress() const;
  void unload();
  bool ready() const { return session_ != nullptr; }
  const vkmoe_model_info& model_info() const { return model_info_; }
  const std::string& model_path() const { return loaded_path_; }

  // The model's chat template rendered for `messages` with the generation prompt. A model
  // without a template gets a plain "role: content" transcript (add_special set then).
  std::optional<std::string> render(const std::vector<ChatTurnMessage>& messages, bool& add_special);

  // Starts a turn from an empty context (the whole conversation is the prompt).
  bool start_turn(const TurnRequest& request);
  // One frame's share: submits at most `budget_us` of GPU work and returns what is new.
  TurnProgress step(uint32_t budget_us);
  bool turn_running() const { return turn_running_; }
  void stop();

  bool stats(vkmoe_stats& out) const;
  // (n_layer, n_expert) tokens each expert served in the current turn, which feeds the whole
  // conversation: false while a worker-thread turn owns the session.
  bool expert_usage(std::vector<uint64_t>& out) const;
  uint32_t position() const;
  uint32_t max_ctx() const;
  const std::string& last_error() const { return error_; }
  vkmoe_status last_status() const { return status_; }

 private:
  TurnProgress step_on_worker();
  void join_worker();
  std::string fail(vkmoe_status status, const char* message);

  vkmoe_context context_ = nullptr;
  vkmoe_model model_ = nullptr;
  vkmoe_session session_ = nullptr;
  vkmoe_model_info model_info_{};
  LoadPlan loading_;
  std::string loaded_path_;
  std::string error_;
  vkmoe_status status_ = VKMOE_OK;  // of the last failure
  bool turn_running_ = false;

  // Worker-thread turns (models that stream experts): the callback appends text under the lock.
  std::thread worker_;
  std::mutex worker_mutex_;
  std::string worker_text_;
  std::atomic<bool> worker_done_{false};
  vkmoe_status worker_status_ = VKMOE_OK;
  vkmoe_finish_reason worker_finish_ = VKMOE_FINISH_NONE;
  std::string worker_error_;
  std::string worker_reply_;  // the turn's whole text, as generate returns it
  std::string turn_prompt_;  // the turn's text must outlive the worker's generate call
};

}  // namespace vkmoe_chat
