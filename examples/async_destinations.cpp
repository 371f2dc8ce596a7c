// Asynchronous (Event) invocation with destinations: invoke_async returns at once; the engine
// runs the event later, retries a function error, and sends Lambda's invocation record to the
// OnSuccess or OnFailure destination.

#include <chrono>
#include <cstdio>
#include <latch>
#include <string>
#include <string_view>

#include "nanofaas/nanofaas.hpp"

using namespace std::chrono_literals;

namespace {

/// The string value of `"key":"…"` in an invocation record's JSON.
std::string field(std::string_view json, std::string_view key) {
  std::string pattern = "\"";  // appended: GCC 12 warns falsely on "\"" + std::string
  pattern.append(key).append("\":\"");
  const auto at = json.find(pattern);
  if (at == std::string_view::npos) return {};
  const auto begin = at + pattern.size();
  return std::string(json.substr(begin, json.find('"', begin) - begin));
}

}  // namespace

int main() {
  auto engine = nanofaas::Engine::create().value();
  std::latch records(2);  // one per event, whichever destination gets it

  // OnSuccess goes to another function, invoked asynchronously with the record as its event.
  auto audit = engine.add_function({.name = "audit"}, [&](const nanofaas::Event& event) {
    std::printf("audit function got %s: %s\n", field(event.body(), "condition").c_str(),
                field(event.body(), "responsePayload").c_str());
    records.count_down();
    return nanofaas::Response();
  });

  nanofaas::FunctionConfig charge{.name = "charge"};
  charge.async.maximum_retry_attempts = 1;  // Lambda's range is 0-2
  charge.async.retry_delays = {10ms};       // Lambda waits a minute; any duration works here
  charge.async.on_success.function = "audit";
  // OnFailure goes to a callback (a standard Queue works too), once the retry failed as well.
  charge.async.on_failure.sink = [&](const nanofaas::InvocationRecord& record) {
    std::printf("on-failure sink got %.*s after %u attempts: %.*s\n",
                static_cast<int>(record.condition.size()), record.condition.data(),
                record.approximate_invoke_count, static_cast<int>(record.response_payload.size()),
                record.response_payload.data());
    records.count_down();
  };
  auto added = engine.add_function(charge, [](const nanofaas::Event& event) {
    if (event.body() == "card declined") {
      return nanofaas::Response::error("PaymentFailed", "card declined");
    }
    return nanofaas::Response::ok("charged " + std::string(event.body()));
  });
  if (!audit || !added) return 1;

  // Both calls return a request id at once (Lambda's 202), before anything ran.
  auto paid = engine.invoke_async("charge", "42 EUR");
  auto declined = engine.invoke_async("charge", "card declined");
  if (!paid || !declined) return 1;
  std::printf("accepted 2 events, request ids %s and %s\n", paid->to_string().c_str(),
              declined->to_string().c_str());

  records.wait();
  const auto m = *engine.metrics().find("charge");
  std::printf("charge: %llu events received, %llu succeeded, %llu failed\n",
              static_cast<unsigned long long>(m.async_events_received),
              static_cast<unsigned long long>(m.async_events_succeeded),
              static_cast<unsigned long long>(m.async_events_failed));
  return m.async_events_succeeded == 1 && m.async_events_failed == 1 ? 0 : 1;
}
