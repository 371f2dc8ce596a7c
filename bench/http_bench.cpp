// Invoke over HTTP against the floor: requests/s and latency of `POST .../echo/invocations`
// on keep-alive connections, for a bare Beast echo server (the floor), nanofaas' server, and
// nanofaas' server verifying SigV4 on every request, measured in alternating rounds.
//   nanofaas_bench_http [SECONDS_PER_ROUND=2] [ROUNDS=3] [CONNECTIONS=4]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "http/sigv4_signer.hpp"
#include "http_floor_server.hpp"
#include "nanofaas/http_server.hpp"
#include "nanofaas/nanofaas.hpp"
#include "raw_http.hpp"

namespace {

using namespace nanofaas;
using steady = std::chrono::steady_clock;

constexpr std::string_view target = "/2015-03-31/functions/echo/invocations";
constexpr std::string_view body = R"({"order":42,"side":"buy","px":101.25})";
const AccessKey bench_key{.id = "AKIDBENCH", .secret = "bench-secret", .principal = "bench"};

struct Round {
  double requests_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  bool ok = true;
};

// `connections` threads, each sending `request` and reading the answer in a loop for `seconds`.
Round drive(std::uint16_t port, const std::string& request, int connections, double seconds) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  std::atomic<bool> failed{false};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  steady::time_point end;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      test::RawHttp client(port);
      auto& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(1 << 20);
      ++ready;
      while (!go.load()) std::this_thread::yield();
      while (steady::now() < end) {
        const auto start = steady::now();
        if (!client.send(request)) return failed.store(true);
        auto response = client.read_response();
        if (!response || response->status != 200 || response->body != body) {
          return failed.store(true);
        }
        mine.push_back(std::chrono::duration<double, std::micro>(steady::now() - start).count());
      }
    });
  }
  while (ready.load() < connections) std::this_thread::yield();
  const auto start = steady::now();
  end =
      start + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : clients) t.join();
  const double elapsed = std::chrono::duration<double>(steady::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  Round round;
  round.ok = !failed.load() && !all.empty();
  if (!round.ok) return round;
  std::sort(all.begin(), all.end());
  round.requests_per_second = static_cast<double>(all.size()) / elapsed;
  round.p50_us = all[all.size() / 2];
  round.p99_us = all[all.size() * 99 / 100];
  return round;
}

std::string plain_request() {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Signed once: the same bytes stay valid for the 5 minutes SigV4 allows.
std::string signed_request() {
  const http::SignedRequest request{
      "POST", target, {{"Host", "localhost"}, {"Content-Type", "application/json"}}, body};
  const auto headers =
      http::sigv4_sign(request, bench_key, "us-east-1", std::chrono::system_clock::now());
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Amz-Date: " +
         headers.amz_date + "\r\nAuthorization: " + headers.authorization +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Row {
  const char* name;
  std::uint16_t port;
  const std::string* request;
  std::vector<double> rps{}, p50{}, p99{};
};

// One table: every row measured in each round, rows alternating, medians printed.
bool measure(std::vector<Row>& rows, int connections, int rounds, double seconds) {
  for (int r = 0; r < rounds; ++r) {
    for (Row& row : rows) {
      const Round round = drive(row.port, *row.request, connections, seconds);
      if (!round.ok) {
        std::fprintf(stderr, "%s: a request failed\n", row.name);
        return false;
      }
      row.rps.push_back(round.requests_per_second);
      row.p50.push_back(round.p50_us);
      row.p99.push_back(round.p99_us);
    }
  }
  std::printf("\n%d connection%s:\n\n", connections, connections == 1 ? "" : "s");
  std::printf("| server | requests/s | p50 µs | p99 µs | throughput vs floor | p50 vs floor |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const double floor_rps = median(rows[0].rps);
  const double floor_p50 = median(rows[0].p50);
  for (const Row& row : rows) {
    std::printf("| %s | %.0f | %.1f | %.1f | %.2f | %.2f× |\n", row.name, median(row.rps),
                median(row.p50), median(row.p99), median(row.rps) / floor_rps,
                median(row.p50) / floor_p50);
  }
  std::printf("\nSigV4 verification per request (p50 difference): %.1f µs\n",
              median(rows[2].p50) - median(rows[1].p50));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<int> connection_counts;
  for (int i = 3; i < argc; ++i) connection_counts.push_back(std::atoi(argv[i]));
  if (connection_counts.empty()) connection_counts = {1, 4, 8};
  if (seconds <= 0 || rounds <= 0 ||
      std::any_of(connection_counts.begin(), connection_counts.end(),
                  [](int c) { return c <= 0; })) {
    std::fprintf(stderr, "usage: %s [SECONDS_PER_ROUND] [ROUNDS] [CONNECTIONS...]\n", argv[0]);
    return 2;
  }
  constexpr unsigned io_threads = 1;
  auto engine = Engine::create({}).value();  // the default configuration
  FunctionConfig echo{.name = "echo"};
  echo.policy.push_back({.principal = "*"});
  if (!engine.add_function(echo, [](const Event& ev) { return Response::ok(ev.body()); })) return 1;
  auto open = HttpServer::start(engine, {.io_threads = io_threads}).value();
  auto signed_server =
      HttpServer::start(engine, {.io_threads = io_threads, .access_keys = {bench_key}}).value();
  bench::FloorServer floor(io_threads, false);
  bench::FloorServer hand_off(io_threads, true);
  const std::string plain = plain_request();
  const std::string sigv4 = signed_request();

  std::printf(
      "Invoke over HTTP/1.1 keep-alive, client connections a thread each on the same machine, "
      "%u I/O thread, engine in its default configuration (2 workers, adaptive idle spin), "
      "%zu-byte echo; medians of %d rounds "
      "of %.1f s, rows alternating\n",
      io_threads, body.size(), rounds, seconds);
  for (const int connections : connection_counts) {
    std::vector<Row> rows = {{"Beast echo server (floor)", floor.port(), &plain},
                             {"nanofaas Invoke", open.port(), &plain},
                             {"nanofaas Invoke, SigV4", signed_server.port(), &sigv4},
                             {"Beast, answered from another thread", hand_off.port(), &plain}};
    if (!measure(rows, connections, rounds, seconds)) return 1;
  }
  return 0;
}
