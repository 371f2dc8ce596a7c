// The smallest nanofaas program: register a function, invoke it synchronously, print what
// came back. A call ends in one of three ways: a response, a function error (the function ran
// and failed), or an engine error (the function did not run).

#include <cstdio>
#include <string>

#include "nanofaas/nanofaas.hpp"

namespace {

/// Prints one call's outcome; returns which of the three it was.
char print(const nanofaas::InvokeResult& r) {
  if (!r) {  // engine error: not found, throttled, too large, ...
    std::printf("engine error   %s: %s\n",
                std::string(nanofaas::lambda_name(r.error().code)).c_str(),
                r.error().message.c_str());
    return 'e';
  }
  if (r->function_error) {  // Response::error (Handled), or a throw or timeout (Unhandled)
    std::printf("function error %s: %s\n", r->function_error->error_type.c_str(),
                r->function_error->error_message.c_str());
    return 'f';
  }
  std::printf("response       %s (%s)\n", r->payload.str().c_str(),
              r->init_duration ? "cold start" : "warm");
  return 'r';
}

}  // namespace

int main() {
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  auto added = engine.add_function({.name = "greet"}, [](const nanofaas::Event& event) {
    if (event.body().empty()) return nanofaas::Response::error("NoName", "who is there?");
    return nanofaas::Response::ok("hello, " + std::string(event.body()));
  });
  if (!added) return 1;

  std::string outcomes;
  outcomes += print(engine.invoke("greet", "world"));  // blocks until the response
  outcomes += print(engine.invoke("greet", "again"));
  outcomes += print(engine.invoke("greet", ""));
  outcomes += print(engine.invoke("missing", "anyone?"));
  return outcomes == "rrfe" ? 0 : 1;
}
