// The profiler under the kernel profile: which bindings a shader reads and writes (from its
// SPIR-V), and the timestamps and byte counts of commands recorded with a profiler attached.
#include <gtest/gtest.h>

#include <vector>

#include "engine/kernels/elementwise.h"
#include "engine/vk/command_profiler.h"
#include "engine/vk/embedded_shaders.h"
#include "engine/vk/spirv_access.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"

namespace vkmoe::test {
namespace {

void expect_access(const vk::BindingAccess& a, bool read, bool written, const char* what) {
  EXPECT_EQ(a.read, read) << what;
  EXPECT_EQ(a.written, written) << what;
}

TEST(ShaderBindingAccess, ReadonlyWriteonlyAndReadWriteBlocks) {
  // moe_scatter.comp: y, rows, weights readonly; out read and written (it adds into it).
  auto scatter = vk::shader_binding_access(vk::embedded_shader("moe_scatter"), 5);
  ASSERT_EQ(scatter.size(), 5u);
  expect_access(scatter[0], true, false, "y");
  expect_access(scatter[1], true, false, "rows");
  expect_access(scatter[2], true, false, "weights");
  expect_access(scatter[3], true, true, "out");
  expect_access(scatter[4], false, false, "a binding the shader does not declare");
  // router_topk.comp: logits, bias readonly; ids, weights writeonly.
  auto router = vk::shader_binding_access(vk::embedded_shader("router_topk"), 4);
  expect_access(router[0], true, false, "logits");
  expect_access(router[1], true, false, "bias");
  expect_access(router[2], false, true, "ids");
  expect_access(router[3], false, true, "weights");
}

TEST(ShaderBindingAccess, RejectsWhatIsNotSpirv) {
  const std::vector<uint32_t> text = {0x6c6c6568u, 0x6f77206fu, 0x646c72u, 0, 0};
  EXPECT_THROW(vk::shader_binding_access(text, 1), Error);
  std::vector<uint32_t> truncated(vk::embedded_shader("moe_scatter").begin(), vk::embedded_shader("moe_scatter").begin() + 7);
  truncated[5] = (40u << 16) | 71u;  // an OpDecorate claiming 40 words
  EXPECT_THROW(vk::shader_binding_access(truncated, 1), Error);
}

using CommandProfilerTest = GpuTest;

TEST_F(CommandProfilerTest, TimesAndChargesEveryCommand) {
  constexpr uint64_t n = 1000;
  auto a = upload_floats(std::vector<float>(n, 1.0f));
  auto b = upload_floats(std::vector<float>(n, 2.0f));
  auto out = poisoned_floats(n);
  auto profiler = vk::CommandProfiler::create(ctx().device());
  profiler->begin_step();
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.set_profiler(profiler.get());
    cmd.set_label({7});
    kernels::record_binary_op(ctx(), cmd, kernels::BinaryOp::kAdd, a.range(), b.range(), out.range(), n, n);
    cmd.barrier();
    // Only the first 100 floats of b count: a PartialUse caps the range.
    cmd.set_label({8, {vk::PartialUse{b.range(), 400}}});
    kernels::record_binary_op(ctx(), cmd, kernels::BinaryOp::kAdd, a.range(), b.range(), out.range(), n, n);
    cmd.barrier();
    cmd.copy(out.range(0, 256), a.range(0, 256));
    cmd.fill(b.range(0, 64), 0);
    cmd.set_profiler(nullptr);
  });
  const vk::TimedStep step = profiler->finish_step();
  ASSERT_EQ(step.commands.size(), 4u);
  EXPECT_EQ(step.barriers, 2u);
  const auto& add = step.commands[0];
  EXPECT_EQ(add.kind, vk::CommandKind::kDispatch);
  EXPECT_EQ(add.label, 7u);
  EXPECT_EQ(add.bytes_read, 2 * n * 4);
  EXPECT_EQ(add.bytes_written, n * 4);
  EXPECT_EQ(step.commands[1].label, 8u);
  EXPECT_EQ(step.commands[1].bytes_read, n * 4 + 400);
  EXPECT_EQ(step.commands[2].kind, vk::CommandKind::kTransfer);
  EXPECT_EQ(step.commands[2].bytes_read, 256u);
  EXPECT_EQ(step.commands[2].bytes_written, 256u);
  EXPECT_EQ(step.commands[3].bytes_read, 0u);
  EXPECT_EQ(step.commands[3].bytes_written, 64u);
  for (size_t i = 0; i < step.commands.size(); ++i) {
    EXPECT_LE(step.commands[i].start_ns, step.commands[i].end_ns) << i;
    if (i > 0) {
      EXPECT_LE(step.commands[i - 1].end_ns, step.commands[i].start_ns) << i;
    }
  }
}

TEST_F(CommandProfilerTest, GrowsPastOneQueryPool) {
  // 3000 commands (fills of disjoint words) take 6000 timestamps: more than one pool of queries.
  auto buffer = ctx().create_buffer(3000 * 4);
  auto profiler = vk::CommandProfiler::create(ctx().device());
  profiler->begin_step();
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.set_profiler(profiler.get());
    for (uint32_t i = 0; i < 3000; ++i) cmd.fill(buffer.range(i * 4, 4), i);
    cmd.set_profiler(nullptr);
  });
  const vk::TimedStep step = profiler->finish_step();
  ASSERT_EQ(step.commands.size(), 3000u);
  for (size_t i = 1; i < step.commands.size(); ++i) {
    ASSERT_LE(step.commands[i - 1].end_ns, step.commands[i].start_ns) << i;
    ASSERT_LE(step.commands[i].start_ns, step.commands[i].end_ns) << i;
  }
  EXPECT_GT(step.commands.back().end_ns, step.commands.front().start_ns);
}

}  // namespace
}  // namespace vkmoe::test
