#pragma once
// What the C API's opaque handles point to. Each starts with a tag naming its type, cleared
// when it is destroyed, so a NULL, wrong-type or (while its memory still says so) destroyed
// handle is answered with VKMOE_ERROR_INVALID_HANDLE instead of being used.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "engine/api/api_guard.h"
#include "engine/api/async_model_load.h"
#include "engine/api/turn.h"
#include "engine/api/unit_costs.h"
#include "engine/model/session.h"
#include "engine/vk/context.h"
#include "loader/tokenizer/tokenizer.h"

namespace vkmoe::api {

enum class HandleTag : uint32_t { kDead = 0, kContext = 0x584D4B43, kModel = 0x584D4B4D, kSession = 0x584D4B53 };

}  // namespace vkmoe::api

struct vkmoe_context_T {
  vkmoe::api::HandleTag tag = vkmoe::api::HandleTag::kContext;
  vkmoe::api::LastError error;
  std::unique_ptr<vkmoe::vk::Context> context;
};

struct vkmoe_model_T {
  vkmoe::api::HandleTag tag = vkmoe::api::HandleTag::kModel;
  vkmoe::api::LastError error;
  vkmoe_context_T* owner = nullptr;
  vkmoe::api::AsyncModelLoad load;
  // GPU cost of each unit of a step, shared by the model's sessions; made with the first one.
  std::mutex costs_mutex;
  std::unique_ptr<vkmoe::api::UnitCosts> costs;
};

struct vkmoe_session_T {
  vkmoe::api::HandleTag tag = vkmoe::api::HandleTag::kSession;
  vkmoe::api::LastError error;
  vkmoe_model_T* owner = nullptr;
  // Before the session, so it goes after it: the session waits for its GPU work, which
  // writes the timings' queries.
  std::unique_ptr<vkmoe::api::UnitTimings> timings;
  std::unique_ptr<vkmoe::Session> session;
  vkmoe::api::TurnStats stats;
  std::unique_ptr<vkmoe::api::Turn> turn;
  vkmoe::api::StepOutput last_output;  // what the last step call returned; its result points here
  std::atomic<bool> cancel{false};
};

namespace vkmoe::api {

inline bool alive(const vkmoe_context_T* h) { return h != nullptr && h->tag == HandleTag::kContext; }
inline bool alive(const vkmoe_model_T* h) { return h != nullptr && h->tag == HandleTag::kModel; }
inline bool alive(const vkmoe_session_T* h) { return h != nullptr && h->tag == HandleTag::kSession; }

}  // namespace vkmoe::api
