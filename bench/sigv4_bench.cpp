// The cost of checking a request's Signature Version 4: a typical Invoke (as the AWS CLI and
// SDKs send it) with a 100-byte and a 6 KB body, against the floor of hashing the body alone.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "http/sha256.hpp"
#include "http/sigv4_signer.hpp"
#include "http/sigv4_verifier.hpp"

namespace {

using nanofaas::AccessKey;
using nanofaas::http::SignedRequest;

const AccessKey key{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "bench"};

std::string json_body(std::size_t size) {
  std::string body = R"({"data":")";
  body.resize(size - 2, 'x');
  return body + "\"}";
}

// A signed Invoke with the headers an SDK sends; the strings live in the returned holder.
struct SignedInvoke {
  std::string body;
  std::string length;
  std::string amz_date;
  std::string authorization;
  SignedRequest request;
};

SignedInvoke signed_invoke(std::size_t body_size, std::chrono::system_clock::time_point now) {
  SignedInvoke out;
  out.body = json_body(body_size);
  out.length = std::to_string(out.body.size());
  out.request = {"POST",
                 "/2015-03-31/functions/echo/invocations?Qualifier=%24LATEST",
                 {{"Host", "localhost:9001"},
                  {"Content-Type", "application/json"},
                  {"X-Amz-Invocation-Type", "RequestResponse"},
                  {"X-Amz-Log-Type", "None"},
                  {"Content-Length", out.length}},
                 out.body};
  auto added = nanofaas::http::sigv4_sign(out.request, key, "us-east-1", now);
  out.amz_date = std::move(added.amz_date);
  out.authorization = std::move(added.authorization);
  out.request.headers.emplace_back("User-Agent", "aws-cli/2.9.19 command/lambda.invoke");
  out.request.headers.emplace_back("X-Amz-Date", out.amz_date);
  out.request.headers.emplace_back("Authorization", out.authorization);
  return out;
}

// verify() on the same request over and over: the signing key is cached after the first.
void BM_Verify(benchmark::State& state) {
  const auto now = std::chrono::system_clock::now();
  const auto invoke = signed_invoke(static_cast<std::size_t>(state.range(0)), now);
  const nanofaas::http::SigV4Verifier verifier({key});
  for (auto _ : state) {
    auto result = verifier.verify(invoke.request, now);
    if (!result) state.SkipWithError(result.error().message.c_str());
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Verify)->Arg(100)->Arg(6 * 1024);

// The floor: SHA-256 of the body, which any check of a signed payload pays.
void BM_BodySha256(benchmark::State& state) {
  const std::string body = json_body(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(nanofaas::http::sha256(body));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BodySha256)->Arg(100)->Arg(6 * 1024);

// The client's side, which derives the signing key each time (four more HMACs).
void BM_Sign(benchmark::State& state) {
  const auto now = std::chrono::system_clock::now();
  const auto invoke = signed_invoke(static_cast<std::size_t>(state.range(0)), now);
  for (auto _ : state) {
    benchmark::DoNotOptimize(nanofaas::http::sigv4_sign(invoke.request, key, "us-east-1", now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sign)->Arg(100)->Arg(6 * 1024);

}  // namespace

BENCHMARK_MAIN();
