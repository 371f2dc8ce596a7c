// Fuzzes the HTTP request path: the input is sent as is over a loopback connection to an
// HttpServer (Lambda's API for a few functions), then the connection is half-closed.
// Properties: the server answers every request it can read with an HTTP response whose errors
// carry `x-amzn-ErrorType` and a JSON body with a message, closes what it cannot read, and
// still answers a well-formed Invoke afterwards. The engine and server are made anew every
// 2,000 inputs, so that versions and aliases the inputs create do not pile up.

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz_check.hpp"
#include "nanofaas/http_server.hpp"
#include "nanofaas/nanofaas.hpp"
#include "raw_http.hpp"

namespace {

using namespace nanofaas;

struct Target {
  std::optional<Engine> engine;
  std::optional<HttpServer> server;
  std::size_t inputs = 0;

  void make() {
    server.reset();
    engine.reset();
    engine.emplace(Engine::create({.workers = 1}).value());
    (void)engine->add_function({.name = "echo"},
                               [](const Event& ev) { return Response::ok(ev.body()); });
    (void)engine->add_function({.name = "crash"},
                               [](const Event&) -> Response { throw std::runtime_error("crash"); });
    (void)engine->add_function({.name = "logger"}, [](const Event& ev, Context& ctx) {
      ctx.log(ev.body());
      return Response::ok("{}");
    });
    auto queue = Queue::create({.name = "orders"}).value();
    HttpServerConfig config{.max_header_bytes = 4096,
                            .max_body_bytes = 64 * 1024,
                            .idle_timeout = std::chrono::seconds(2),
                            .body_timeout = std::chrono::seconds(2)};
    config.event_sources["arn:aws:sqs:us-east-1:000000000000:orders"] = queue;
    server.emplace(HttpServer::start(*engine, std::move(config)).value());
  }
};

void check_response(const test::RawResponse& response) {
  NANOFAAS_FUZZ_CHECK(response.status >= 100 && response.status < 600, "a valid status");
  if (response.status >= 400) {
    NANOFAAS_FUZZ_CHECK(!response.header("x-amzn-errortype").empty(), "an error names its type");
    NANOFAAS_FUZZ_CHECK(response.body.find("\"message\"") != std::string::npos,
                        "an error has a message");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Target target;
  if (target.inputs++ % 2000 == 0) target.make();
  const std::uint16_t port = target.server->port();
  {
    test::RawHttp client(port);
    (void)client.send(std::string_view(reinterpret_cast<const char*>(data), size));
    client.shutdown_send();
    while (auto response = client.read_response()) check_response(*response);
  }
  // The server must still answer a well-formed Invoke. A client as fast as this one can fill
  // the connection cap with connections it closed and the server has not reaped yet (new ones
  // are then closed at accept, as the cap intends), so it gets a few seconds to catch up.
  std::optional<test::RawResponse> answer;
  for (int attempt = 0; attempt < 200 && !answer; ++attempt) {
    if (attempt != 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    test::RawHttp healthy(port);
    if (healthy.send(test::post("/2015-03-31/functions/echo/invocations", "[1]"))) {
      answer = healthy.read_response();
    }
  }
  NANOFAAS_FUZZ_CHECK(answer && answer->status == 200 && answer->body == "[1]",
                      "the server still answers a well-formed Invoke");
  return 0;
}
