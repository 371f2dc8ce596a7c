// The Lambda API over HTTP for a few in-process functions, for the AWS CLI and SDKs:
//   nanofaas_server [--port N] [--key ACCESS_KEY_ID:SECRET]...
// Prints its base URL (http://127.0.0.1:PORT) as its first line, then serves until SIGTERM or
// SIGINT. With no --key, requests are not authenticated and only loopback is served.
// GET /metrics answers in Prometheus' text format, for a scrape.
//   aws lambda invoke --endpoint-url http://127.0.0.1:PORT --function-name echo
//       --cli-binary-format raw-in-base64-out --payload '{"hi":1}' out.json
// A queue, arn:aws:sqs:us-east-1:000000000000:orders, is there for event source mappings and
// as a destination.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "nanofaas/http_server.hpp"
#include "nanofaas/nanofaas.hpp"
#include "nanofaas/prometheus.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;

struct Options {
  std::uint16_t port = 0;
  std::vector<AccessKey> keys;
};

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return false;
    const std::string_view value = argv[++i];
    if (arg == "--port") {
      const std::string text(value);
      char* end = nullptr;
      const unsigned long port = std::strtoul(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || port > 65535) return false;
      options.port = static_cast<std::uint16_t>(port);
    } else if (arg == "--key") {
      const std::size_t colon = value.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) return false;
      const std::string id(value.substr(0, colon));
      options.keys.push_back({id, std::string(value.substr(colon + 1)), id});
    } else {
      return false;
    }
  }
  return true;
}

// Every signed caller may invoke these (the resource policy's "*").
FunctionConfig open_to_all(FunctionConfig config) {
  config.policy.push_back({.principal = "*"});
  return config;
}

// The demo's functions, one that logs (for `--log-type Tail`), one that is always throttled
// (reserved concurrency 0), and a queue the event source mapping calls can name.
Status add_functions(Engine& engine, HttpServerConfig& server) {
  auto echo = engine.add_function(open_to_all({.name = "echo", .description = "its request"}),
                                  [](const Event& ev) { return Response::ok(ev.body()); });
  if (!echo) return echo;
  (void)engine.add_function(open_to_all({.name = "fail"}), [](const Event&) {
    return Response::error("OrderRejected", "the order book is closed");
  });
  (void)engine.add_function(open_to_all({.name = "crash"}), [](const Event&) -> Response {
    throw std::runtime_error("null order book");
  });
  (void)engine.add_function(open_to_all({.name = "slow", .timeout = 20ms}),
                            [](const Event&, Context& ctx) {
                              ctx.sleep_for(1s);  // cut short at the deadline
                              return Response::ok("too late");
                            });
  (void)engine.add_function(open_to_all({.name = "logger"}), [](const Event& ev, Context& ctx) {
    ctx.log("got " + std::to_string(ev.body().size()) + " bytes");
    return Response::ok(R"({"logged":true})");
  });
  (void)engine.add_function(open_to_all({.name = "throttled", .reserved_concurrency = 0}),
                            [](const Event&) { return Response::ok("never runs"); });
  auto orders = Queue::create({.name = "orders"});
  if (!orders) return Unexpected(orders.error());
  server.event_sources["arn:aws:sqs:" + server.region + ":" + server.account_id + ":orders"] =
      *orders;
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr, "usage: %s [--port N] [--key ACCESS_KEY_ID:SECRET]...\n", argv[0]);
    return 2;
  }
  // Block the stop signals before any thread starts, then wait for one here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto engine = Engine::create();
  if (!engine) return 1;
  HttpServerConfig config{.port = options.port, .access_keys = std::move(options.keys)};
  // GET /metrics for a Prometheus scrape; the engine outlives the server, stopped before it.
  config.metrics = [&engine = *engine] { return prometheus_text(engine.metrics()); };
  if (auto added = add_functions(*engine, config); !added) {
    std::fprintf(stderr, "nanofaas_server: %s\n", added.error().message.c_str());
    return 1;
  }
  auto server = HttpServer::start(*engine, std::move(config));
  if (!server) {
    std::fprintf(stderr, "nanofaas_server: %s\n", server.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", server->base_url().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->stop();
  engine->shutdown(1s);
  return 0;
}
