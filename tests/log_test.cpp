// The engine's log: START, END and REPORT around every invocation, Lambda's JSON format and
// log levels, the writer thread's bounded hand-off, and no environment variable value in any
// line.

#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "log_capture.hpp"
#include "nanofaas/queue.hpp"
#include "test_support.hpp"

namespace nanofaas {
namespace {

using test::LogCapture;
using test::make_engine;

Response talk(const Event&, Context& ctx) {
  ctx.log("hello");
  return Response::ok("{}");
}

TEST(LogTest, EveryInvocationHasStartEndAndReportAroundTheHandlersLines) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  ASSERT_TRUE(engine.add_function({.name = "talk"}, talk));
  auto cold = engine.invoke("talk", "{}");
  auto warm = engine.invoke("talk", "{}");
  ASSERT_TRUE(cold && warm);
  engine.shutdown(std::chrono::seconds(1));  // the writer has written every line

  const std::string id = cold->request_id.to_string();
  auto lines = capture.of_request(id);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "START RequestId: " + id + " Version: $LATEST");
  EXPECT_TRUE(
      std::regex_match(lines[1], std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{"
                                            "3}Z\t" +
                                            id + "\tINFO\thello")))
      << lines[1];
  EXPECT_EQ(lines[2], "END RequestId: " + id);
  const std::regex report("REPORT RequestId: " + id +
                          "\tDuration: \\d+\\.\\d\\d ms\tBilled Duration: \\d+ ms"
                          "\tInit Duration: \\d+\\.\\d\\d ms");
  EXPECT_TRUE(std::regex_match(lines[3], report)) << lines[3];

  const std::string warm_id = warm->request_id.to_string();
  auto warm_lines = capture.of_request(warm_id);
  ASSERT_EQ(warm_lines.size(), 4u);
  const std::regex warm_report("REPORT RequestId: " + warm_id +
                               "\tDuration: \\d+\\.\\d\\d ms\tBilled Duration: \\d+ ms");
  EXPECT_TRUE(std::regex_match(warm_lines[3], warm_report)) << warm_lines[3];
  for (const auto& l : capture.snapshot()) {
    EXPECT_EQ(l.function_name, "talk");
    EXPECT_EQ(l.version, "$LATEST");
    EXPECT_EQ(l.source == LogRecord::Source::function, l.message == "hello");
  }
}

TEST(LogTest, BilledDurationIsTheDurationRoundedUpToAMillisecond) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  ASSERT_TRUE(engine.add_function({.name = "nap"}, [](const Event&, Context& ctx) {
    ctx.sleep_for(std::chrono::microseconds(1500));
    return Response::ok("{}");
  }));
  auto out = engine.invoke("nap", "{}");
  ASSERT_TRUE(out);
  engine.shutdown(std::chrono::seconds(1));
  auto lines = capture.of_request(out->request_id.to_string());
  ASSERT_EQ(lines.size(), 3u);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      lines[2], m, std::regex("Duration: (\\d+\\.\\d\\d) ms\tBilled Duration: (\\d+) ms")));
  const double duration = std::stod(m[1].str());
  const int billed = std::stoi(m[2].str());
  EXPECT_GE(duration, 1.5);
  EXPECT_GE(billed, duration);
  EXPECT_LT(billed, duration + 1.01);
}

TEST(LogTest, NestedAsyncAndBatchInvocationsEachHaveTheirLines) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  std::latch events(2);  // the async event and the batch
  ASSERT_TRUE(engine.add_function({.name = "inner"}, talk));
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [](const Event&, Context& ctx) {
    auto r = ctx.invoke("inner", "{}");
    return r ? Response::ok(r->request_id.to_string()) : Response::error("E", "nested failed");
  }));
  ASSERT_TRUE(engine.add_function({.name = "event"}, [&events](const Event&, Context& ctx) {
    ctx.log("event");
    events.count_down();
    return Response::ok("{}");
  }));
  ASSERT_TRUE(engine.add_function({.name = "batch"}, [&events](const Event&, Context& ctx) {
    ctx.log("batch");
    events.count_down();
    return Response();
  }));
  auto queue = test::make_queue({.name = "q"});
  ASSERT_TRUE(engine.create_event_source_mapping({.source = queue, .function_name = "batch"}));
  auto outer = engine.invoke("outer", "{}");
  ASSERT_TRUE(outer && outer->ok());
  auto event_id = engine.invoke_async("event", Payload::copy_of("{}"));
  ASSERT_TRUE(event_id);
  ASSERT_TRUE(queue->send(PayloadView("{}")));
  events.wait();
  engine.shutdown(std::chrono::seconds(1));

  std::map<std::string, std::vector<std::string>> starts;  // function -> request ids
  std::multiset<std::string> kinds;
  for (const auto& l : capture.snapshot()) {
    if (l.line.starts_with("START ")) starts[l.function_name].push_back(l.request_id);
    if (l.source == LogRecord::Source::platform) kinds.insert(l.line.substr(0, l.line.find(' ')));
  }
  for (const char* f : {"outer", "inner", "event", "batch"}) {
    ASSERT_EQ(starts[f].size(), 1u) << f;
    auto lines = capture.of_request(starts[f][0]);
    ASSERT_GE(lines.size(), 3u) << f;
    EXPECT_TRUE(lines.front().starts_with("START RequestId: " + starts[f][0]));
    EXPECT_EQ(lines[lines.size() - 2], "END RequestId: " + starts[f][0]);
    EXPECT_TRUE(lines.back().starts_with("REPORT RequestId: " + starts[f][0]));
  }
  EXPECT_EQ(starts["inner"][0], std::string(outer->payload.view()));
  EXPECT_EQ(starts["event"][0], event_id->to_string());
  EXPECT_EQ(kinds.count("START"), 4u);
  EXPECT_EQ(kinds.count("END"), 4u);
  EXPECT_EQ(kinds.count("REPORT"), 4u);
}

TEST(LogTest, JsonFormatWritesLambdasPlatformAndApplicationRecords) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  FunctionConfig config{.name = "json"};
  config.logging = LoggingConfig{.log_format = LogFormat::json};
  ASSERT_TRUE(engine.add_function(config, [](const Event&, Context& ctx) {
    ctx.log("say \"hi\"\n");
    return Response::ok("{}");
  }));
  auto cold = engine.invoke("json", "{}");
  auto warm = engine.invoke("json", "{}");
  ASSERT_TRUE(cold && warm);
  engine.shutdown(std::chrono::seconds(1));

  for (const auto* out : {&*cold, &*warm}) {
    const std::string id = out->request_id.to_string();
    auto lines = capture.of_request(id);
    ASSERT_EQ(lines.size(), 3u);  // platform.runtimeDone is DEBUG: not at the default INFO
    simdjson::dom::parser parser;
    simdjson::dom::element start = test::parse_json_line(parser, lines[0]);
    EXPECT_EQ(std::string_view(start["type"]), "platform.start");
    EXPECT_TRUE(
        std::regex_match(std::string(std::string_view(start["time"])),
                         std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")));
    EXPECT_EQ(std::string_view(start["record"]["requestId"]), id);
    EXPECT_EQ(std::string_view(start["record"]["version"]), "$LATEST");

    simdjson::dom::parser app_parser;
    simdjson::dom::element app = test::parse_json_line(app_parser, lines[1]);
    EXPECT_EQ(std::string_view(app["level"]), "INFO");
    EXPECT_EQ(std::string_view(app["message"]), "say \"hi\"\n");
    EXPECT_EQ(std::string_view(app["requestId"]), id);
    EXPECT_FALSE(std::string_view(app["timestamp"]).empty());

    simdjson::dom::parser report_parser;
    simdjson::dom::element report = test::parse_json_line(report_parser, lines[2]);
    EXPECT_EQ(std::string_view(report["type"]), "platform.report");
    EXPECT_EQ(std::string_view(report["record"]["requestId"]), id);
    EXPECT_EQ(std::string_view(report["record"]["status"]), "success");
    simdjson::dom::element metrics = report["record"]["metrics"];
    const double duration = double(metrics["durationMs"]);
    EXPECT_GE(duration, 0.0);
    EXPECT_GE(double(std::int64_t(metrics["billedDurationMs"])), duration);
    EXPECT_EQ(metrics["initDurationMs"].error() == simdjson::SUCCESS, out == &*cold);
  }
}

TEST(LogTest, JsonFormatFiltersByApplicationAndSystemLevel) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  auto levels = [](const Event&, Context& ctx) {
    ctx.log(LogLevel::trace, "trace");
    ctx.log(LogLevel::debug, "debug");
    ctx.log("info");
    ctx.log(LogLevel::warn, "warn");
    ctx.log(LogLevel::error, "error");
    ctx.log(LogLevel::fatal, "fatal");
    return Response::ok("{}");
  };
  FunctionConfig quiet{.name = "quiet"};
  quiet.logging = LoggingConfig{.log_format = LogFormat::json,
                                .application_log_level = LogLevel::warn,
                                .system_log_level = LogLevel::warn};
  FunctionConfig chatty{.name = "chatty"};
  chatty.logging = LoggingConfig{.log_format = LogFormat::json,
                                 .application_log_level = LogLevel::trace,
                                 .system_log_level = LogLevel::debug};
  ASSERT_TRUE(engine.add_function(quiet, levels));
  ASSERT_TRUE(engine.add_function(chatty, levels));
  ASSERT_TRUE(engine.add_function({.name = "text"}, levels));  // text: levels do not filter
  for (const char* f : {"quiet", "chatty", "text"}) ASSERT_TRUE(engine.invoke(f, "{}"));
  engine.shutdown(std::chrono::seconds(1));

  std::map<std::string, std::vector<std::string>> messages;
  std::map<std::string, std::vector<std::string>> platform;
  for (const auto& l : capture.snapshot()) {
    if (l.source == LogRecord::Source::function) {
      messages[l.function_name].push_back(l.message);
    } else if (l.function_name != "text") {
      simdjson::dom::parser parser;
      platform[l.function_name].emplace_back(
          std::string_view(test::parse_json_line(parser, l.line)["type"]));
    }
  }
  EXPECT_EQ(messages["quiet"], (std::vector<std::string>{"warn", "error", "fatal"}));
  const std::vector<std::string> all{"trace", "debug", "info", "warn", "error", "fatal"};
  EXPECT_EQ(messages["chatty"], all);
  EXPECT_EQ(messages["text"], all);
  EXPECT_TRUE(platform["quiet"].empty());
  EXPECT_EQ(platform["chatty"],
            (std::vector<std::string>{"platform.initStart", "platform.initReport", "platform.start",
                                      "platform.runtimeDone", "platform.report"}));
}

TEST(LogTest, InitLinesComeBeforeStartWithoutARequestId) {
  struct Greeter {
    explicit Greeter(InitContext& init) { init.log(LogLevel::warn, "warming up"); }
    Response operator()(const Event&, Context&) { return Response::ok("{}"); }
  };
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  ASSERT_TRUE(engine.add_function<Greeter>({.name = "greeter"}));
  ASSERT_TRUE(engine.invoke("greeter", "{}"));
  engine.shutdown(std::chrono::seconds(1));
  auto lines = capture.snapshot();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].source, LogRecord::Source::platform);
  EXPECT_EQ(lines[0].line, "INIT_START Runtime Version: nanofaas:" NANOFAAS_VERSION_STRING);
  EXPECT_TRUE(lines[0].request_id.empty());
  EXPECT_EQ(lines[1].source, LogRecord::Source::function);
  EXPECT_EQ(lines[1].level, LogLevel::warn);
  EXPECT_TRUE(lines[1].request_id.empty());
  EXPECT_TRUE(lines[1].line.ends_with("Z\tWARN\twarming up")) << lines[1].line;
  EXPECT_TRUE(lines[2].line.starts_with("START RequestId: "));
}

TEST(LogTest, AFailedInitIsReportedInTextAndEveryInitInJson) {
  struct Broken {
    explicit Broken(InitContext&) { throw std::runtime_error("no database"); }
    Response operator()(const Event&, Context&) { return Response::ok("{}"); }
  };
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  ASSERT_TRUE(engine.add_function<Broken>({.name = "broken"}));
  FunctionConfig json{.name = "fine"};
  json.logging = LoggingConfig{.log_format = LogFormat::json};
  ASSERT_TRUE(engine.add_function(json, talk));
  auto failed = engine.invoke("broken", "{}");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->function_error->error_type, "Runtime.InitError");
  ASSERT_TRUE(engine.invoke("fine", "{}"));
  engine.shutdown(std::chrono::seconds(1));

  std::vector<std::string> broken;
  std::vector<simdjson::dom::element> fine;
  simdjson::dom::parser parsers[8];
  std::size_t used = 0;
  for (const auto& l : capture.snapshot()) {
    if (l.function_name == "broken") broken.push_back(l.line);
    if (l.function_name == "fine" && l.request_id.empty() && used < 8) {
      fine.push_back(test::parse_json_line(parsers[used++], l.line));
    }
  }
  ASSERT_GE(broken.size(), 2u);
  EXPECT_TRUE(broken[0].starts_with("INIT_START Runtime Version: nanofaas:")) << broken[0];
  EXPECT_TRUE(std::regex_match(broken[1], std::regex("INIT_REPORT Init Duration: \\d+\\.\\d\\d ms"
                                                     "\tPhase: init\tStatus: error"
                                                     "\tError Type: Runtime.InitError")))
      << broken[1];
  ASSERT_EQ(fine.size(), 2u);
  EXPECT_EQ(std::string_view(fine[0]["type"]), "platform.initStart");
  EXPECT_EQ(std::string_view(fine[0]["record"]["initializationType"]), "on-demand");
  EXPECT_EQ(std::string_view(fine[0]["record"]["phase"]), "init");
  EXPECT_EQ(std::string_view(fine[0]["record"]["functionName"]), "fine");
  EXPECT_EQ(std::string_view(fine[0]["record"]["functionVersion"]), "$LATEST");
  EXPECT_EQ(std::string_view(fine[1]["type"]), "platform.initReport");
  EXPECT_EQ(std::string_view(fine[1]["record"]["status"]), "success");
  EXPECT_GE(double(fine[1]["record"]["metrics"]["durationMs"]), 0.0);
}

TEST(LogTest, TheReportSaysHowTheInvocationEnded) {
  LogCapture capture;
  auto engine = make_engine({.log_sink = capture.sink()});
  auto handler = [](const Event& ev, Context& ctx) {
    if (ev.body() == "\"slow\"") ctx.sleep_for(std::chrono::seconds(1));
    if (ev.body() == "\"error\"") return Response::error("Failed", "handled");
    return Response::ok("{}");
  };
  FunctionConfig text{.name = "text", .timeout = std::chrono::milliseconds(20)};
  FunctionConfig json{.name = "json", .timeout = std::chrono::milliseconds(20)};
  json.logging = LoggingConfig{.log_format = LogFormat::json};
  ASSERT_TRUE(engine.add_function(text, handler));
  ASSERT_TRUE(engine.add_function(json, handler));
  std::map<std::string, std::string> expected;  // request id -> status
  for (const char* f : {"text", "json"}) {
    for (const char* body : {"\"ok\"", "\"error\"", "\"slow\""}) {
      auto out = engine.invoke(f, PayloadView(body));
      ASSERT_TRUE(out);
      expected[out->request_id.to_string()] =
          std::string(body).substr(1, std::string(body).size() - 2);
    }
  }
  engine.shutdown(std::chrono::seconds(1));
  std::size_t reports = 0;
  for (const auto& l : capture.snapshot()) {
    const std::string status = expected[l.request_id] == "ok"     ? "success"
                               : expected[l.request_id] == "slow" ? "timeout"
                                                                  : "error";
    if (l.line.starts_with("REPORT ")) {
      ++reports;
      EXPECT_EQ(l.line.ends_with("\tStatus: timeout"), status == "timeout") << l.line;
    } else if (l.line.starts_with("{\"time\"")) {
      simdjson::dom::parser parser;
      simdjson::dom::element e = test::parse_json_line(parser, l.line);
      if (std::string_view(e["type"]) != "platform.report") continue;
      ++reports;
      EXPECT_EQ(std::string_view(e["record"]["status"]), status) << l.line;
    }
  }
  EXPECT_EQ(reports, 6u);
}

TEST(LogTest, InvalidLevelsAndFormatsAreClearErrors) {
  auto level = parse_log_level("VERBOSE");
  ASSERT_FALSE(level);
  EXPECT_EQ(level.error().code, Errc::invalid_argument);
  EXPECT_NE(level.error().message.find("TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
            std::string::npos);
  EXPECT_EQ(parse_log_level("WARN").value(), LogLevel::warn);
  EXPECT_FALSE(parse_log_format("json"));  // Lambda spells it JSON
  EXPECT_EQ(parse_log_format("JSON").value(), LogFormat::json);
  EXPECT_EQ(to_string(LogLevel::fatal), "FATAL");

  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.logging =
      LoggingConfig{.log_format = LogFormat::json, .system_log_level = LogLevel::error};
  auto added = engine.add_function(config, talk);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, Errc::invalid_argument);
  EXPECT_NE(added.error().message.find("system_log_level"), std::string::npos);

  auto bad = Engine::create({.log_buffer = 0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  auto bad_default = Engine::create({.logging = {.system_log_level = LogLevel::trace}});
  ASSERT_FALSE(bad_default);
  EXPECT_EQ(bad_default.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace nanofaas
