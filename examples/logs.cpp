// A function's log as Lambda writes it: INIT_START, START, the handler's lines, END and REPORT,
// printed by the host's sink (on the engine's log writer thread), in text and in JSON with a level
// filter.

#include <cstdio>
#include <string>

#include "nanofaas/nanofaas.hpp"

int main() {
  int lines = 0;  // only the writer thread calls the sink
  {
    auto engine = nanofaas::Engine::create({.log_sink = [&lines](const nanofaas::LogRecord& r) {
                    std::printf("%s\n", std::string(r.line).c_str());
                    ++lines;
                  }}).value();
    auto handler = [](const nanofaas::Event&, nanofaas::Context& ctx) {
      ctx.log(nanofaas::LogLevel::debug, "details");  // dropped in JSON below INFO
      ctx.log("working");
      return nanofaas::Response::ok("{}");
    };
    nanofaas::FunctionConfig json{.name = "structured"};
    json.logging = nanofaas::LoggingConfig{.log_format = nanofaas::LogFormat::json};
    if (!engine.add_function({.name = "plain"}, handler) || !engine.add_function(json, handler)) {
      return 1;
    }
    if (!engine.invoke("plain", "{}") || !engine.invoke("structured", "{}")) return 1;
  }  // the destructor writes every line before it returns
  // Text: INIT_START, START, DEBUG, INFO, END, REPORT. JSON: platform.initStart,
  // platform.initReport, platform.start, INFO, platform.report.
  return lines == 11 ? 0 : 1;
}
