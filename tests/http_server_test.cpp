// The HTTP server's transport: keep-alive, limits, timeouts, malformed input, disconnects and
// stopping, driven over raw sockets (tests/raw_http.hpp).

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "nanofaas/http_server.hpp"
#include "nanofaas/nanofaas.hpp"
#include "raw_http.hpp"

namespace nanofaas {
namespace {

using test::post;
using test::RawHttp;

constexpr std::string_view invoke_echo = "/2015-03-31/functions/echo/invocations";

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.emplace(Engine::create({.workers = 2}).value());
    ASSERT_TRUE(engine_->add_function({.name = "echo"},
                                      [](const Event& ev) { return Response::ok(ev.body()); }));
    ASSERT_TRUE(engine_->add_function({.name = "hold"}, [this](const Event&) {
      started_.count_down();
      while (!release_.load()) std::this_thread::yield();
      return Response::ok("released");
    }));
  }
  void start(HttpServerConfig config = {}) {
    auto server = HttpServer::start(*engine_, std::move(config));
    ASSERT_TRUE(server) << server.error().message;
    server_.emplace(std::move(*server));
  }
  std::uint16_t port() const { return server_->port(); }

  std::optional<Engine> engine_;
  std::optional<HttpServer> server_;
  std::latch started_{1};
  std::atomic<bool> release_{false};
};

TEST_F(HttpServerTest, AnswersManyRequestsOnOneKeptAliveConnection) {
  start();
  RawHttp client(port());
  for (int i = 0; i < 100; ++i) {
    const std::string body = R"({"n":)" + std::to_string(i) + "}";
    ASSERT_TRUE(client.send(post(invoke_echo, body)));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
    EXPECT_EQ(response->header("x-amz-executed-version"), "$LATEST");
    EXPECT_EQ(response->header("x-amzn-requestid").size(), 36u);
  }
}

TEST_F(HttpServerTest, ManyConnectionsAtOnceEachGetTheirOwnAnswers) {
  start({.io_threads = 2});
  constexpr int connections = 8;
  constexpr int requests = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      RawHttp client(port());
      for (int i = 0; i < requests; ++i) {
        std::string body = "[";
        body.append(std::to_string(c)).append(",").append(std::to_string(i)).append("]");
        auto response =
            client.send(post(invoke_echo, body)) ? client.read_response() : std::nullopt;
        if (!response || response->status != 200 || response->body != body) ++wrong;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  for (int round = 0; round < 20; ++round) {
    RawHttp client(port());
    std::string requests;
    for (int i = 0; i < 16; ++i) requests += post(invoke_echo, std::to_string(i));
    ASSERT_TRUE(client.send(requests));  // in one write: the server reads ahead of its answers
    for (int i = 0; i < 16; ++i) {
      auto response = client.read_response();
      ASSERT_TRUE(response) << "round " << round << ", request " << i;
      EXPECT_EQ(response->body, std::to_string(i));
    }
  }
}

TEST_F(HttpServerTest, AnAnswerLargerThanTheSocketTakesArrivesWholeAndTheConnectionStays) {
  start();
  RawHttp client(port());
  // More than a loopback socket's buffers hold: most of it is written as the client reads.
  std::string body(5 * 1024 * 1024, 'x');
  body.front() = body.back() = '"';
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(post(invoke_echo, body)));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(response->body == body) << "answer " << i << " differs";
  }
  ASSERT_TRUE(client.send(post(invoke_echo, "{}")));
  auto small = client.read_response();
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, "{}");
}

TEST_F(HttpServerTest, AMalformedRequestGets400AndTheConnectionCloses) {
  start();
  for (std::string_view garbage : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                                   "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                                   "POST /x HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    RawHttp client(port());
    ASSERT_TRUE(client.send(garbage));
    auto response = client.read_response();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->status, 400) << garbage;
    EXPECT_EQ(response->header("x-amzn-errortype"), "BadRequest");
    EXPECT_TRUE(client.closed_by_server());
  }
}

TEST_F(HttpServerTest, OversizedHeadersGet431AndTheConnectionCloses) {
  start({.max_header_bytes = 4096});
  RawHttp client(port());
  const std::string big = "X-Big: " + std::string(8192, 'a') + "\r\n";
  ASSERT_TRUE(client.send(post(invoke_echo, "{}", big)));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ABodyOverTheLimitGets413BeforeItIsSent) {
  start({.max_body_bytes = 1024});
  RawHttp client(port());
  // Only the headers are sent: the refusal comes from the declared length.
  ASSERT_TRUE(
      client.send("POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\n"
                  "Host: localhost\r\nContent-Length: 7000000\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("x-amzn-errortype"), "RequestTooLargeException");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ASlowClientIsClosedAtTheTimeoutsAndOthersAreServedMeanwhile) {
  start({.idle_timeout = std::chrono::milliseconds(300),
         .body_timeout = std::chrono::milliseconds(300)});
  RawHttp idle(port());          // never sends a byte
  RawHttp slow_headers(port());  // half a request line
  RawHttp slow_body(port());     // headers, then half the body
  ASSERT_TRUE(slow_headers.send("POST /2015-03-31/func"));
  ASSERT_TRUE(
      slow_body.send("POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\n"
                     "Content-Length: 10\r\n\r\n{\"a\""));
  RawHttp busy(port());
  ASSERT_TRUE(busy.send(post(invoke_echo, "{}")));
  ASSERT_TRUE(busy.read_response());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(slow_headers.closed_by_server());
  EXPECT_TRUE(slow_body.closed_by_server());
}

TEST_F(HttpServerTest, AKeptAliveConnectionIsClosedWhenIdleAfterItsAnswers) {
  start({.idle_timeout = std::chrono::milliseconds(200)});
  RawHttp client(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(post(invoke_echo, "{}")));
    ASSERT_TRUE(client.read_response());
  }
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ACallLongerThanTheTimeoutsIsStillAnswered) {
  start({.idle_timeout = std::chrono::milliseconds(100),
         .body_timeout = std::chrono::milliseconds(100)});
  RawHttp client(port());
  ASSERT_TRUE(client.send(post("/2015-03-31/functions/hold/invocations", "{}")));
  started_.wait();
  RawHttp probe(port());
  ASSERT_TRUE(probe.closed_by_server());  // a timeout has passed since the call began
  release_ = true;
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "released");
}

TEST_F(HttpServerTest, AnAnswerTheClientDoesNotReadIsAbandonedAtTheBodyTimeout) {
  start({.body_timeout = std::chrono::milliseconds(200)});
  RawHttp client(port());
  std::string body(5 * 1024 * 1024, 'x');
  body.front() = body.back() = '"';
  ASSERT_TRUE(client.send(post(invoke_echo, body)));
  EXPECT_TRUE(client.ended_by_server_unread());
  RawHttp other(port());  // the server is still serving
  ASSERT_TRUE(other.send(post(invoke_echo, "{}")));
  EXPECT_TRUE(other.read_response());
}

TEST_F(HttpServerTest, TimeoutsOfTheLargestDurationMeanNever) {
  start({.idle_timeout = std::chrono::nanoseconds::max(),
         .body_timeout = std::chrono::nanoseconds::max()});
  RawHttp client(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(post(invoke_echo, "{}")));
    auto response = client.read_response();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(HttpServerTest, AClientThatLeavesMidRequestOrMidCallLeavesTheServerHealthy) {
  start();
  {
    RawHttp half(port());
    ASSERT_TRUE(
        half.send("POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\n"
                  "Content-Length: 100\r\n\r\n{"));
  }  // closed mid-body
  {
    RawHttp leaving(port());
    ASSERT_TRUE(leaving.send(post("/2015-03-31/functions/hold/invocations", "{}")));
    started_.wait();  // the call is in the engine
  }                   // closed before the answer
  release_ = true;
  RawHttp client(port());
  ASSERT_TRUE(client.send(post(invoke_echo, "[1]")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "[1]");
}

TEST_F(HttpServerTest, ConnectionsOverTheCapAreClosedAtOnce) {
  start({.max_connections = 2});
  RawHttp first(port());
  RawHttp second(port());
  for (RawHttp* c : {&first, &second}) {  // both accepted and served
    ASSERT_TRUE(c->send(post(invoke_echo, "{}")));
    ASSERT_TRUE(c->read_response());
  }
  RawHttp third(port());
  EXPECT_TRUE(third.closed_by_server());
  first.close();
  // A freed place is taken again (the count drops when the server sees the close).
  for (int attempt = 0;; ++attempt) {
    RawHttp again(port());
    if (again.send(post(invoke_echo, "{}")) && again.read_response()) break;
    ASSERT_LT(attempt, 10000) << "the closed connection's place never came back";
    std::this_thread::yield();
  }
}

TEST_F(HttpServerTest, StopWaitsForACallInTheEngineAndClosesEveryConnection) {
  start();
  RawHttp idle(port());
  ASSERT_TRUE(idle.send(post(invoke_echo, "{}")));
  ASSERT_TRUE(idle.read_response());  // kept alive, waiting for its next request
  RawHttp client(port());
  ASSERT_TRUE(client.send(post("/2015-03-31/functions/hold/invocations", "{}")));
  started_.wait();
  std::thread releaser([this] { release_ = true; });
  server_->stop();  // returns once the call has answered
  releaser.join();
  (void)client.read_response();  // the answer, if it was written before the stop closed it
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(idle.closed_by_server());
  server_->stop();  // idempotent
}

TEST_F(HttpServerTest, BadTargetsAndUnknownOperationsAreErrors) {
  start();
  RawHttp client(port());
  ASSERT_TRUE(client.send("GET /2015-03-31/functions/%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto bad = client.read_response();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  ASSERT_TRUE(client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto unknown = client.read_response();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->header("x-amzn-errortype"), "UnknownOperationException");
}

TEST_F(HttpServerTest, InvokeRefusesBadHeadersAndBodiesWithLambdasErrors) {
  start();
  RawHttp client(port());
  auto send = [&](std::string_view body, std::string_view headers) {
    EXPECT_TRUE(client.send(post(invoke_echo, body, headers)));
    return client.read_response().value_or(test::RawResponse{});
  };
  auto not_json = send("{not json", "");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.header("x-amzn-errortype"), "InvalidRequestContentException");
  auto bad_type = send("{}", "X-Amz-Invocation-Type: Sometimes\r\n");
  EXPECT_EQ(bad_type.status, 400);
  EXPECT_EQ(bad_type.header("x-amzn-errortype"), "InvalidParameterValueException");
  auto bad_log = send("{}", "X-Amz-Log-Type: All\r\n");
  EXPECT_EQ(bad_log.status, 400);
  auto bad_context = send("{}", "X-Amz-Client-Context: not-base64!\r\n");
  EXPECT_EQ(bad_context.status, 400);
  EXPECT_EQ(bad_context.header("x-amzn-errortype"), "InvalidRequestContentException");
  auto missing = send("{}", "");
  EXPECT_EQ(missing.status, 200);
  EXPECT_TRUE(client.send(post("/2015-03-31/functions/nope/invocations", "{}")));
  auto not_found = client.read_response();
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->header("x-amzn-errortype"), "ResourceNotFoundException");
  EXPECT_NE(not_found->body.find(R"("Type":"User")"), std::string::npos);
}

TEST_F(HttpServerTest, TheClientContextReachesTheHandlerDecoded) {
  ASSERT_TRUE(engine_->add_function({.name = "context"}, [](const Event&, Context& ctx) {
    return Response::ok(ctx.client_context());
  }));
  start();
  RawHttp client(port());
  // base64 of {"custom":{"k":"v"}}
  ASSERT_TRUE(client.send(post("/2015-03-31/functions/context/invocations", "{}",
                               "X-Amz-Client-Context: eyJjdXN0b20iOnsiayI6InYifX0=\r\n")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, R"({"custom":{"k":"v"}})");
}

TEST_F(HttpServerTest, TraceHeadersReachTheHandlerForBothInvocationTypes) {
  std::latch event_ran(1);
  std::string event_trace;
  ASSERT_TRUE(engine_->add_function({.name = "trace"}, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "\"event\"") {
      event_trace = ctx.trace().trace_id_hex();
      event_ran.count_down();
    }
    std::string body = "\"";  // appended: GCC 12 warns falsely on "\"" + std::string
    body.append(ctx.trace().traceparent()).push_back('"');
    return Response::ok(body);
  }));
  start();
  RawHttp client(port());
  const auto traced = [&](std::string_view headers) {
    EXPECT_TRUE(client.send(post("/2015-03-31/functions/trace/invocations", "{}", headers)));
    auto response = client.read_response();
    EXPECT_TRUE(response && response->status == 200);
    return response ? response->body.substr(1, 55) : std::string();
  };
  // Lambda's X-Ray header, W3C's traceparent (X-Ray's wins when both come), and a bad one.
  const std::string xray = traced(
      "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
      "Sampled=1\r\ntraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n");
  EXPECT_EQ(xray.substr(0, 36), "00-5759e988bd862e3fe1be46a994272793-");
  EXPECT_NE(xray.substr(36, 16), "53995c3f42cd8ad8");  // the handler's own span
  const std::string w3c =
      traced("traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n");
  EXPECT_EQ(w3c.substr(0, 36), "00-0af7651916cd43dd8448eb211c80319c-");
  const std::string bad = traced("traceparent: 00-zz-b7ad6b7169203331-01\r\n");
  EXPECT_EQ(bad.size(), 55u);
  EXPECT_NE(bad.substr(0, 36), "00-0af7651916cd43dd8448eb211c80319c-");

  ASSERT_TRUE(
      client.send(post("/2015-03-31/functions/trace/invocations", "\"event\"",
                       "X-Amz-Invocation-Type: Event\r\n"
                       "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                       "\r\n")));
  auto accepted = client.read_response();
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 202);
  event_ran.wait();
  EXPECT_EQ(event_trace, "0af7651916cd43dd8448eb211c80319c");
}

TEST_F(HttpServerTest, MetricsAreServedUnsignedOnlyWhenTheHostTurnsThemOn) {
  start({.access_keys = {{.id = "AKID", .secret = "secret", .principal = "p"}},
         .metrics = [] { return std::string("# TYPE up gauge\nup 1\n"); }});
  RawHttp client(port());
  ASSERT_TRUE(client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto scrape = client.read_response();
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->status, 200);
  EXPECT_EQ(scrape->body, "# TYPE up gauge\nup 1\n");
  EXPECT_EQ(scrape->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  ASSERT_TRUE(client.send(post(invoke_echo, "{}")));  // the API itself stays signed
  auto unsigned_call = client.read_response();
  ASSERT_TRUE(unsigned_call);
  EXPECT_EQ(unsigned_call->status, 403);

  server_.reset();
  start();  // without `metrics`, /metrics is no route
  RawHttp other(port());
  ASSERT_TRUE(other.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto none = other.read_response();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
}

TEST_F(HttpServerTest, ConfigurationsThatWouldExposeOrBreakTheServerAreRefused) {
  auto beyond_loopback = HttpServer::start(*engine_, {.address = "0.0.0.0"});
  ASSERT_FALSE(beyond_loopback);
  EXPECT_EQ(beyond_loopback.error().code, Errc::invalid_argument);
  EXPECT_FALSE(HttpServer::start(*engine_, {.address = "not an address"}));
  EXPECT_FALSE(HttpServer::start(*engine_, {.io_threads = 0}));
  EXPECT_FALSE(HttpServer::start(*engine_, {.access_keys = {{.id = "AKID", .secret = ""}}}));
  start();
  auto taken = HttpServer::start(*engine_, {.port = port()});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace nanofaas
