// How log lines reach the host: through a bounded hand-off to the writer thread (a full one
// drops and counts, never blocks a handler), all of them by the end of shutdown, never with an
// environment variable's value; and the caller's tail of one invocation's log.

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "log_capture.hpp"
#include "test_support.hpp"

namespace nanofaas {
namespace {

using test::LogCapture;
using test::make_engine;

TEST(LogDeliveryTest, AFullBufferDropsAndCountsWithoutBlockingTheHandler) {
  std::latch release(1);
  std::atomic<std::uint64_t> written{0};
  auto engine = make_engine({.log_sink =
                                 [&](const LogRecord&) {
                                   release.wait();  // the writer thread blocks, not a worker
                                   written.fetch_add(1);
                                 },
                             .log_buffer = 4});
  constexpr int lines = 100;
  ASSERT_TRUE(engine.add_function({.name = "flood"}, [](const Event&, Context& ctx) {
    for (int i = 0; i < lines; ++i) ctx.log(test::numbered("line ", i));
    return Response::ok("{}");
  }));
  auto out = engine.invoke("flood", "{}");  // returns although the sink is stuck
  ASSERT_TRUE(out && out->ok());
  const std::uint64_t dropped = engine.metrics().log_records_dropped;
  // INIT_START, START, 100 lines, END, REPORT; at most the buffer and the one in the sink get
  // through.
  EXPECT_GE(dropped, lines + 4 - 5u);
  release.count_down();
  engine.shutdown(std::chrono::seconds(1));
  EXPECT_EQ(written.load() + engine.metrics().log_records_dropped, lines + 4u);
}

TEST(LogDeliveryTest, EveryLineIsWrittenOrCountedAsDroppedUnderContention) {
  constexpr int rounds = 20;
  constexpr int threads = 4;
  constexpr int calls = 100 / test::sanitizer_divisor;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<std::uint64_t> written{0};
    auto engine = make_engine({.workers = 2,
                               .log_sink = [&](const LogRecord&) { written.fetch_add(1); },
                               .log_buffer = 8});
    ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
      for (int i = 0; i < 10; ++i) ctx.log("x");
      return Response::ok("{}");
    }));
    std::latch go(threads);
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t) {
      callers.emplace_back([&] {
        go.arrive_and_wait();
        for (int i = 0; i < calls; ++i) (void)engine.invoke("f", "{}");
      });
    }
    for (auto& c : callers) c.join();
    engine.shutdown(std::chrono::seconds(1));
    // 13 lines a call, and an INIT_START per environment.
    const auto metrics = engine.metrics();
    ASSERT_EQ(written.load() + metrics.log_records_dropped,
              std::uint64_t{threads} * calls * 13 + metrics.find("f")->cold_starts)
        << "round " << round;
  }
}

TEST(LogDeliveryTest, ShutdownWritesEveryAcceptedLineFromManyThreads) {
  constexpr int rounds = 20;
  constexpr int threads = 4;
  constexpr int calls = 200 / test::sanitizer_divisor;
  for (int round = 0; round < rounds; ++round) {
    LogCapture capture;
    auto engine = make_engine({.workers = 2, .log_sink = capture.sink(), .log_buffer = 1 << 16});
    ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
      ctx.log("a");
      ctx.log("b");
      return Response::ok("{}");
    }));
    std::latch go(threads);
    std::vector<std::thread> callers;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t) {
      callers.emplace_back([&] {
        go.arrive_and_wait();
        for (int i = 0; i < calls; ++i) {
          if (!engine.invoke("f", "{}")) failures.fetch_add(1);
        }
      });
    }
    for (auto& c : callers) c.join();
    ASSERT_EQ(failures.load(), 0);
    engine.shutdown(std::chrono::seconds(1));
    ASSERT_EQ(engine.metrics().log_records_dropped, 0u);
    auto lines = capture.snapshot();
    const std::size_t environments = engine.metrics().find("f")->cold_starts;
    ASSERT_EQ(lines.size(), std::size_t{threads} * calls * 5 + environments) << "round " << round;
    // Each request's lines arrive in order: START, a, b, END, REPORT; each environment's
    // INIT_START has no request.
    std::map<std::string, std::string> seen;
    for (const auto& l : lines) seen[l.request_id] += l.line.substr(0, 3);
    std::string inits;
    for (std::size_t i = 0; i < environments; ++i) inits += "INI";
    ASSERT_EQ(seen[""], inits);
    seen.erase("");
    ASSERT_EQ(seen.size(), std::size_t{threads} * calls);
    for (const auto& [id, order] : seen) {
      ASSERT_EQ(order.substr(0, 3), "STA") << id;
      ASSERT_EQ(order.substr(9), "ENDREP") << id;
    }
  }
}

TEST(LogDeliveryTest, NoEnvironmentVariableValueAppearsInAnyLine) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  const std::map<std::string, std::string> environment{{"DB_PASSWORD", "hunter2-secret-value"},
                                                       {"API_TOKEN", "tok-0123456789abcdef"}};
  auto handler = [](const Event& ev, Context& ctx) {
    ctx.log("working on " + std::string(ev.body()));
    if (ev.body() == "\"throw\"") throw std::runtime_error("failed");
    if (ev.body() == "\"error\"") return Response::error("Failed", "handled error");
    if (ev.body() == "\"slow\"") ctx.sleep_for(std::chrono::seconds(1));
    return Response::ok("{}");
  };
  for (LogFormat format : {LogFormat::text, LogFormat::json}) {
    FunctionConfig config{.name = format == LogFormat::json ? "json" : "text"};
    config.environment = environment;
    config.timeout = std::chrono::milliseconds(50);
    config.logging = LoggingConfig{.log_format = format,
                                   .application_log_level = LogLevel::trace,
                                   .system_log_level = LogLevel::debug};
    ASSERT_TRUE(engine.add_function(config, handler));
    for (const char* body : {"\"ok\"", "\"throw\"", "\"error\"", "\"slow\""}) {
      auto out = engine.invoke(config.name, PayloadView(body), {.tail_log = true});
      ASSERT_TRUE(out);
      for (const auto& [name, value] : environment) {
        EXPECT_EQ(out->log_tail.find(value), std::string::npos) << out->log_tail;
      }
    }
  }
  engine.shutdown(std::chrono::seconds(1));
  const auto lines = capture.snapshot();
  // START, the line, END, REPORT; INIT_START per environment, and in JSON its initReport.
  const auto metrics = engine.metrics();
  EXPECT_EQ(lines.size(),
            2u * 4 * 4 + metrics.find("text")->cold_starts + 2 * metrics.find("json")->cold_starts);
  for (const auto& l : lines) {
    for (const auto& [name, value] : environment) {
      EXPECT_EQ(l.line.find(value), std::string::npos) << l.line;
      EXPECT_EQ(l.message.find(value), std::string::npos) << l.message;
      EXPECT_EQ(l.function_name.find(value), std::string::npos);
    }
  }
}

TEST(LogDeliveryTest, TheTailHoldsStartTheLinesEndAndReportInTheFunctionsFormat) {
  auto engine = make_engine();  // no sink: the tail needs none
  ASSERT_TRUE(engine.add_function({.name = "text"}, [](const Event&, Context& ctx) {
    ctx.log("one");
    return Response::ok("{}");
  }));
  FunctionConfig json{.name = "json"};
  json.logging = LoggingConfig{.log_format = LogFormat::json};
  ASSERT_TRUE(engine.add_function(json, [](const Event&, Context& ctx) {
    ctx.log(LogLevel::debug, "dropped below INFO");
    ctx.log("one");
    return Response::ok("{}");
  }));
  auto text = engine.invoke("text", "{}", {.tail_log = true});
  ASSERT_TRUE(text);
  const std::string id = text->request_id.to_string();
  EXPECT_TRUE(text->log_tail.starts_with("START RequestId: " + id + " Version: $LATEST\n"));
  EXPECT_NE(text->log_tail.find("\tINFO\tone\nEND RequestId: " + id + "\nREPORT RequestId: " + id),
            std::string::npos)
      << text->log_tail;
  EXPECT_TRUE(text->log_tail.ends_with("\n"));

  auto out = engine.invoke("json", "{}", {.tail_log = true});
  ASSERT_TRUE(out);
  std::vector<std::string> types;
  std::size_t begin = 0;
  while (begin < out->log_tail.size()) {
    const std::size_t end = out->log_tail.find('\n', begin);
    ASSERT_NE(end, std::string::npos);
    simdjson::dom::parser parser;
    simdjson::dom::element e =
        test::parse_json_line(parser, out->log_tail.substr(begin, end - begin));
    std::string_view type;
    types.emplace_back(e["type"].get(type) == simdjson::SUCCESS ? type : std::string_view("app"));
    begin = end + 1;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"platform.start", "app", "platform.report"}));
}

}  // namespace
}  // namespace nanofaas
