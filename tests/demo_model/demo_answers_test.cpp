// The demo model answers its held-out questions (models/vkmoe-demo/held_out.json, written by
// the training script and never seen in training) through its chat template with greedy
// decoding, as `vkmoe chat --temp 0` would; and streaming a quarter of its experts changes
// no bit of what it computes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/experts/expert_store.h"
#include "engine/model/model.h"
#include "engine/model/session.h"
#include "engine/sampler/sampler.h"
#include "loader/chat/chat_template.h"
#include "loader/tokenizer/tokenizer.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/demo_model.h"

namespace vkmoe::test {
namespace {

struct HeldOut {
  std::string task, question, answer;
};

std::vector<HeldOut> read_held_out() {
  std::ifstream in(demo_model_path("held_out.json"));
  if (!in) throw std::runtime_error("cannot open held_out.json");
  std::vector<HeldOut> out;
  for (const auto& q : nlohmann::json::parse(in)) out.push_back({q.at("task"), q.at("question"), q.at("answer")});
  return out;
}

struct Reply {
  std::vector<uint32_t> ids;
  std::vector<std::vector<float>> logits;  // every step's, for the bitwise comparison
  std::string text;
};

// Greedy reply to one user message, through the model's chat template.
Reply greedy_reply(const Model& model, Session& session, const Tokenizer& tokenizer, const std::string& question,
                   bool keep_logits) {
  ChatRequest request;
  request.messages.push_back({{"role", "user"}, {"content", question}});
  const std::vector<uint32_t> prompt =
      tokenizer.encode(render_chat_template(model.spec().chat_template, request), false, true);
  session.reset();
  // With keep_logits every step reads back its logits and the host picks the argmax;
  // otherwise the GPU does, as vkmoe chat's greedy decoding does.
  auto next = [&](std::span<const uint32_t> tokens, Reply& reply) {
    if (!keep_logits) return session.eval_greedy(tokens);
    reply.logits.push_back(session.eval(tokens));
    return argmax(reply.logits.back());
  };
  Reply reply;
  uint32_t id = next(prompt, reply);
  while (reply.ids.size() < 48 && !tokenizer.is_eog(id)) {
    reply.ids.push_back(id);
    id = next(std::span(&reply.ids.back(), 1), reply);
  }
  reply.text = tokenizer.decode(reply.ids, false);
  return reply;
}

std::vector<Reply> greedy_replies(const Model& model, const std::vector<HeldOut>& questions, bool keep_logits) {
  SessionOptions o;
  o.max_ctx = 128;
  Session session(model, o);
  const Tokenizer tokenizer(model.spec().vocab);
  std::vector<Reply> out;
  for (const auto& q : questions) out.push_back(greedy_reply(model, session, tokenizer, q.question, keep_logits));
  return out;
}

class DemoAnswersTest : public GpuTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(DemoAnswersTest, AnswersAtLeast95PercentOfHeldOutQuestions) {
  auto model = Model::load(ctx(), demo_model_path(GetParam()));
  const std::vector<HeldOut> questions = read_held_out();
  ASSERT_GE(questions.size(), 200u);
  const std::vector<Reply> replies = greedy_replies(*model, questions, false);
  std::map<std::string, std::pair<int, int>> per_task;  // right, asked
  int right = 0;
  for (size_t i = 0; i < questions.size(); ++i) {
    const bool ok = replies[i].text == questions[i].answer;
    right += ok;
    per_task[questions[i].task].first += ok;
    per_task[questions[i].task].second += 1;
    if (!ok) std::printf("  wrong: \"%s\" -> \"%s\" (expected \"%s\")\n", questions[i].question.c_str(),
                         replies[i].text.c_str(), questions[i].answer.c_str());
  }
  for (const auto& [task, counts] : per_task) std::printf("  %-14s %d / %d\n", task.c_str(), counts.first, counts.second);
  const double accuracy = static_cast<double>(right) / static_cast<double>(questions.size());
  std::printf("%s: %d of %zu held-out questions answered exactly (%.1f %%)\n", GetParam().c_str(), right,
              questions.size(), 100.0 * accuracy);
  EXPECT_GE(accuracy, 0.95);
}

INSTANTIATE_TEST_SUITE_P(DemoModel, DemoAnswersTest, ::testing::Values("vkmoe-demo-F16.gguf", "vkmoe-demo-Q8_0.gguf"),
                         [](const auto& info) { return info.param.substr(11, info.param.size() - 16); });

class DemoStreamingTest : public GpuTest {};

TEST_F(DemoStreamingTest, QuarterOfTheExpertsGivesTheSameAnswersBitForBit) {
  const std::string path = demo_model_path("vkmoe-demo-Q8_0.gguf");
  std::vector<HeldOut> questions = read_held_out();
  questions.resize(std::min<size_t>(questions.size(), 64));
  std::vector<Reply> want, got;
  ExpertLayerStats total;
  ModelOptions options;
  {
    auto resident = Model::load(ctx(), path);
    ASSERT_EQ(resident->experts(), nullptr);
    const ModelConfig& c = resident->config();
    options.experts.expert_slots = c.n_layer * c.n_expert / 4;
    want = greedy_replies(*resident, questions, true);
  }
  {
    auto streamed = Model::load(ctx(), path, options);
    ASSERT_NE(streamed->experts(), nullptr);
    got = greedy_replies(*streamed, questions, true);
    total = streamed->experts()->stats().total();
  }
  for (size_t i = 0; i < questions.size(); ++i) {
    EXPECT_EQ(got[i].ids, want[i].ids) << questions[i].question;
    ASSERT_EQ(got[i].logits.size(), want[i].logits.size()) << questions[i].question;
    for (size_t s = 0; s < got[i].logits.size(); ++s) {
      EXPECT_EQ(std::memcmp(got[i].logits[s].data(), want[i].logits[s].data(), got[i].logits[s].size() * 4), 0)
          << questions[i].question << ": logits of step " << s << " differ";
    }
  }
  std::printf("a quarter of the experts resident: %llu uses, %llu hits (hit rate %.1f %%), %.2f MiB copied\n",
              static_cast<unsigned long long>(total.uses), static_cast<unsigned long long>(total.hits),
              total.uses ? 100.0 * static_cast<double>(total.hits) / static_cast<double>(total.uses) : 0.0,
              static_cast<double>(total.bytes_copied) / (1024.0 * 1024.0));
  EXPECT_GT(total.misses, 0u);
}

}  // namespace
}  // namespace vkmoe::test
