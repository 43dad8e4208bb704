// vkmoe-chat: a desktop chat app for Mixture-of-Experts models. One Vulkan device, created
// here with vkmoe's requirements, draws the ImGui window and runs the model; generation
// advances a frame's GPU budget at a time, so the window keeps its frame rate.
//
//   vkmoe-chat [--model PATH (default: the demo model)] [--device NAME] [--width W] [--height H] [--script FILE]
#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "apps/common/demo_model.h"
#include "apps/vkmoe-chat/chat_app.h"
#include "apps/vkmoe-chat/chat_engine.h"
#include "apps/vkmoe-chat/chat_ui.h"
#include "apps/vkmoe-chat/frame_renderer.h"
#include "apps/vkmoe-chat/screenshot_png.h"
#include "apps/vkmoe-chat/ui_script.h"
#include "apps/host_device/host_device.h"

namespace vkmoe_chat {
namespace {

struct Options {
  std::string model;
  std::string device;
  std::string script;
  int width = 1280, height = 800;
};

const char* kUsage =
    "usage: vkmoe-chat [--model PATH] [--device NAME] [--width W] [--height H] [--script FILE]\n"
    "  --model  default: the demo model, " VKMOE_DEMO_MODEL "\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value\n" + kUsage);
    const std::string value = argv[++i];
    if (flag == "--model") {
      o.model = value;
    } else if (flag == "--device") {
      o.device = value;
    } else if (flag == "--script") {
      o.script = value;
    } else if (flag == "--width" || flag == "--height") {
      const int v = std::atoi(value.c_str());
      if (v < 200 || v > 16384) throw std::runtime_error(flag + " expects 200..16384, got '" + value + "'");
      (flag == "--width" ? o.width : o.height) = v;
    } else {
      throw std::runtime_error("unknown option " + flag + "\n" + kUsage);
    }
  }
  return o;
}

// GLFW's window and library, ended in order.
struct GlfwWindow {
  GLFWwindow* window = nullptr;
  GlfwWindow(int width, int height) {
    if (!glfwInit()) throw std::runtime_error("GLFW could not start (is there a display?)");
    if (!glfwVulkanSupported()) {
      glfwTerminate();
      throw std::runtime_error("GLFW finds no Vulkan loader");
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    window = glfwCreateWindow(width, height, "vkmoe-chat", nullptr, nullptr);
    if (window == nullptr) {
      glfwTerminate();
      throw std::runtime_error("GLFW could not open a window");
    }
  }
  ~GlfwWindow() {
    glfwDestroyWindow(window);
    glfwTerminate();
  }
};

// ImGui's context and GLFW back end.
struct ImGuiContextScope {
  explicit ImGuiContextScope(GLFWwindow* window) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; nothing to remember
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForVulkan(window, true);
  }
  ~ImGuiContextScope() {
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
};

int run(const Options& o) {
  std::optional<UiScript> script;
  if (!o.script.empty()) script.emplace(o.script);
  GlfwWindow glfw(o.width, o.height);
  vkmoe_host::HostDevice device({glfw.window, o.device, false, "vkmoe-chat"});
  // Destroyed in reverse order: the renderer, then vkmoe's objects, then the device they share.
  ChatEngine engine;
  const vkmoe_external_device shared = device.external_device();
  ChatApp app(engine);
  if (!engine.attach(shared)) app.error = "vkmoe cannot use " + device.name() + ": " + engine.last_error();
  UiState ui;
  ui.device_in_use = device.name();
  ui.devices = device.device_names();
  ImGuiContextScope imgui(glfw.window);
  ui.fonts = load_fonts(17.0f);
  FrameRenderer renderer(device, glfw.window);
  renderer.init_imgui();
  const std::string model =
      o.model.empty() && std::filesystem::exists(vkmoe::cli::demo_model_path()) ? vkmoe::cli::demo_model_path() : o.model;
  if (!model.empty()) {
    app.model_path = model;
    app.load_model();
  }

  int status = 0;
  auto last = std::chrono::steady_clock::now();
  while (!glfwWindowShouldClose(glfw.window)) {
    glfwPollEvents();
    app.update();
    if (script) {
      const UiScript::State s = script->advance(app, ui);
      if (s == UiScript::State::kFailed) {
        std::fprintf(stderr, "vkmoe-chat: %s\n", script->failure().c_str());
        status = 1;
        break;
      }
      if (s == UiScript::State::kPassed) break;
    }
    ImGui_ImplVulkan_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    draw_ui(app, ui);
    ImGui::Render();
    Screenshot shot;
    const bool capture = script && !script->screenshot_path.empty();
    renderer.render(ImGui::GetDrawData(), capture ? &shot : nullptr);
    if (capture && shot.width > 0) {
      write_png(script->screenshot_path, shot);
      std::printf("vkmoe-chat: screenshot %s (%ux%u)\n", script->screenshot_path.c_str(), shot.width, shot.height);
      script->screenshot_path.clear();
    }
    const auto now = std::chrono::steady_clock::now();
    ui.frame_ms = std::chrono::duration<float, std::milli>(now - last).count();
    last = now;
  }
  engine.unload();
  renderer.shutdown_imgui();
  if (script && status == 0) std::printf("vkmoe-chat: script passed\n");
  return status;
}

}  // namespace
}  // namespace vkmoe_chat

int main(int argc, char** argv) {
  try {
    return vkmoe_chat::run(vkmoe_chat::parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vkmoe-chat: %s\n", e.what());
    return 1;
  }
}
