// game_loop: a game's frame loop that renders an animated scene every frame and, on the same
// VkDevice and queue, generates text with vkmoe within a per-frame GPU budget. It measures
// frame times without generation, then with it at each budget, and prints their p50/p95/p99
// and the tokens/s generation reached.
//
//   vkmoe-game-loop --model PATH [--headless] [--frames N] [--budgets 1000,4000,16000]
//                   [--prompt TEXT] [--width W] [--height H] [--scene-cost N] [--validation]
//
// With a window it renders through GLFW into a swapchain; --headless renders into an image of
// its own (CI, servers, Xvfb not needed).
#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/examples/game_loop/frame_times.h"
#include "apps/host_device/host_device.h"
#include "apps/examples/game_loop/scene_renderer.h"
#include "vkmoe/vkmoe.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string model;
  std::string prompt = "Once upon a time";
  bool headless = false;
  bool validation = false;
  uint32_t frames = 240;
  uint32_t width = 1280, height = 720;
  uint32_t scene_cost = 8;  // iterations per pixel of scene.frag
  std::vector<uint32_t> budgets_us = {1000, 4000, 16000};
};

const char* kUsage =
    "usage: vkmoe-game-loop --model PATH [--headless] [--frames N] [--budgets US,US,...] [--prompt TEXT]\n"
    "                       [--width W] [--height H] [--scene-cost N] [--validation]\n";

uint32_t parse_count(const std::string& flag, const char* text) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v == 0 || v > 100000000ul) {
    throw std::runtime_error(flag + " expects a positive integer, got '" + text + "'");
  }
  return static_cast<uint32_t>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--model") {
      o.model = value();
    } else if (flag == "--prompt") {
      o.prompt = value();
    } else if (flag == "--headless") {
      o.headless = true;
    } else if (flag == "--validation") {
      o.validation = true;
    } else if (flag == "--frames") {
      o.frames = parse_count(flag, value());
    } else if (flag == "--width") {
      o.width = parse_count(flag, value());
    } else if (flag == "--height") {
      o.height = parse_count(flag, value());
    } else if (flag == "--scene-cost") {
      o.scene_cost = parse_count(flag, value());
    } else if (flag == "--budgets") {
      o.budgets_us.clear();
      std::string list = value();
      for (size_t at = 0; at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        o.budgets_us.push_back(parse_count("--budgets", list.substr(at, comma - at).c_str()));
        at = comma + 1;
      }
    } else {
      throw std::runtime_error("unknown option " + flag + "\n" + kUsage);
    }
  }
  if (o.model.empty()) throw std::runtime_error(std::string("--model is required\n") + kUsage);
  return o;
}

// vkmoe's objects on the game's device, destroyed in order.
struct Generator {
  vkmoe_context context = nullptr;
  vkmoe_model model = nullptr;
  vkmoe_session session = nullptr;
  vkmoe_turn_info turn{};
  ~Generator() {
    vkmoe_session_destroy(session);
    vkmoe_model_destroy(model);
    vkmoe_context_destroy(context);
  }
};

void check(vkmoe_status status, const char* message) {
  if (status != VKMOE_OK) throw std::runtime_error(std::string(vkmoe_status_name(status)) + ": " + message);
}

struct Phase {
  FrameTimes frames;
  uint64_t tokens = 0;
  double seconds = 0;
  uint64_t layers = 0;       // units of model work submitted, over the phase
  double estimated_us = 0;   // their GPU time as vkmoe estimated it
};

// `budget_us` 0: the scene alone.
Phase run_phase(const Options& o, GLFWwindow* window, SceneRenderer& scene, Generator& gen, uint32_t budget_us,
                Clock::time_point start) {
  Phase phase;
  const auto t0 = Clock::now();
  if (budget_us > 0) check(vkmoe_session_submit(gen.session, &gen.turn), vkmoe_session_last_error(gen.session));
  for (uint32_t f = 0; f < o.frames; ++f) {
    const auto frame_start = Clock::now();
    if (budget_us > 0) {
      vkmoe_step_result r{};
      r.struct_size = sizeof(r);
      check(vkmoe_session_step(gen.session, budget_us, &r), vkmoe_session_last_error(gen.session));
      phase.tokens += r.token_count;
      phase.layers += r.layers_submitted;
      phase.estimated_us += r.gpu_us_submitted;
      if (r.state == VKMOE_STEP_FINISHED) {  // start the story over: the game keeps talking
        check(vkmoe_session_rewind(gen.session, 0), vkmoe_session_last_error(gen.session));
        check(vkmoe_session_submit(gen.session, &gen.turn), vkmoe_session_last_error(gen.session));
      }
    }
    const float time_s = std::chrono::duration<float>(frame_start - start).count();
    if (!scene.draw_frame(time_s)) throw std::runtime_error("the window changed size; the example does not rebuild its swapchain");
    if (window != nullptr) {
      glfwPollEvents();
      if (glfwWindowShouldClose(window)) break;
    }
    phase.frames.add(std::chrono::duration<double, std::milli>(Clock::now() - frame_start).count());
  }
  if (budget_us > 0) check(vkmoe_session_cancel(gen.session), vkmoe_session_last_error(gen.session));
  phase.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return phase;
}

int run(const Options& o) {
  GLFWwindow* window = nullptr;
  if (!o.headless) {
    if (!glfwInit()) throw std::runtime_error("GLFW could not start (no display?); use --headless");
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    window = glfwCreateWindow(int(o.width), int(o.height), "vkmoe game_loop", nullptr, nullptr);
    if (window == nullptr) throw std::runtime_error("GLFW could not open a window; use --headless");
  }
  int status = 0;
  {
    vkmoe_host::HostDevice host({window, "", o.validation, "vkmoe game_loop"});
    SceneRenderer scene(host, o.width, o.height, window != nullptr, o.scene_cost);

    Generator gen;
    const vkmoe_external_device device = host.external_device();
    vkmoe_context_create_info context_info{};
    context_info.struct_size = sizeof(context_info);
    context_info.external_device = &device;
    char message[1024] = "";
    context_info.error_message = message;
    context_info.error_message_capacity = sizeof(message);
    check(vkmoe_context_create(&context_info, &gen.context), message);
    vkmoe_model_load_info load{};
    load.struct_size = sizeof(load);
    load.path = o.model.c_str();
    load.max_ctx = 512;
    check(vkmoe_model_load(gen.context, &load, &gen.model), vkmoe_context_last_error(gen.context));
    vkmoe_session_create_info session_info{};
    session_info.struct_size = sizeof(session_info);
    session_info.max_ctx = 512;
    check(vkmoe_session_create(gen.model, &session_info, &gen.session), vkmoe_model_last_error(gen.model));
    gen.turn.struct_size = sizeof(gen.turn);
    gen.turn.text = o.prompt.c_str();
    gen.turn.text_length = o.prompt.size();
    gen.turn.add_special = 1;
    gen.turn.max_new_tokens = 128;
    gen.turn.sampling = vkmoe_sampling_default();

    std::printf("vkmoe game_loop on %s, %ux%u, %u frames per row, %s\n\n", host.name().c_str(), o.width, o.height, o.frames,
                window != nullptr ? "windowed" : "headless");
    std::printf("| generation | frame p50 ms | frame p95 ms | frame p99 ms | tokens/s | layers/frame | est. GPU us/frame |\n"
                "|---|---|---|---|---|---|---|\n");
    const auto start = Clock::now();
    Options warm_up = o;  // the first frames build pipelines and fill caches: not measured
    warm_up.frames = std::min<uint32_t>(o.frames, 30);
    run_phase(warm_up, window, scene, gen, 0, start);
    run_phase(warm_up, window, scene, gen, o.budgets_us.front(), start);
    const Phase alone = run_phase(o, window, scene, gen, 0, start);
    std::printf("| off | %.2f | %.2f | %.2f | - | - | - |\n", alone.frames.percentile(50), alone.frames.percentile(95),
                alone.frames.percentile(99));
    for (uint32_t budget : o.budgets_us) {
      const Phase p = run_phase(o, window, scene, gen, budget, start);
      const double n = std::max<double>(1.0, double(p.frames.count()));
      std::printf("| %u us/frame | %.2f | %.2f | %.2f | %.1f | %.2f | %.0f |\n", budget, p.frames.percentile(50),
                  p.frames.percentile(95), p.frames.percentile(99), p.seconds > 0 ? p.tokens / p.seconds : 0.0, p.layers / n,
                  p.estimated_us / n);
      std::fflush(stdout);
    }
    if (host.validation_messages() > 0) {
      std::fprintf(stderr, "vkmoe-game-loop: %u validation messages\n", host.validation_messages());
      status = 1;
    }
  }
  if (window != nullptr) {
    glfwDestroyWindow(window);
    glfwTerminate();
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vkmoe-game-loop: %s\n", e.what());
    return 1;
  }
}
