// A tour of nanofaas: functions and environments, sync and nested calls, errors and timeouts,
// concurrency controls, versions and aliases, permissions, JSON and metrics.

#include <cstdio>
#include <latch>
#include <string>

#include "nanofaas/json.hpp"
#include "nanofaas/nanofaas.hpp"

using namespace nanofaas;
using namespace std::chrono_literals;

namespace {

/// A handler type: the constructor is the init phase (a cold start), run once per environment.
class Pricer {
 public:
  explicit Pricer(InitContext& init)
      : markup_(init.env("MARKUP").value_or("1.0") == "1.1" ? 1.1 : 1.0) {}

  Response operator()(const Event& event, Context& ctx) {
    auto doc = parse_json(event, ctx);  // simdjson on-demand, in place when padded
    double qty = 0;
    double px = 0;
    if (doc["qty"].get(qty) || doc["px"].get(px)) {
      return Response::error("InvalidOrder", "qty and px are required numbers");
    }
    return Response::ok(std::to_string(qty * px * markup_));
  }

 private:
  double markup_;
};

void show(const char* what, const InvokeResult& r) {
  if (!r) {
    std::printf("%-34s -> engine error %s: %s%s%s\n", what,
                std::string(lambda_name(r.error().code)).c_str(), r.error().message.c_str(),
                r.error().reason == ThrottleReason::none ? "" : " reason=",
                std::string(lambda_name(r.error().reason)).c_str());
  } else if (r->function_error) {
    std::printf("%-34s -> function error (%s) %s: %s\n", what,
                r->function_error->kind == FunctionError::Kind::handled ? "Handled" : "Unhandled",
                r->function_error->error_type.c_str(), r->function_error->error_message.c_str());
  } else {
    std::printf("%-34s -> %s (version %s, %s)\n", what, r->payload.str().c_str(),
                r->executed_version.c_str(), r->init_duration ? "cold start" : "warm");
  }
}

}  // namespace

int main() {
  auto engine = Engine::create({.workers = 2}).value();

  // A callable: each execution environment gets its own copy.
  (void)engine.add_function({.name = "echo"},
                            [](const Event& ev, Context&) { return Response::ok(ev.body()); });
  FunctionConfig price{.name = "price", .timeout = 100ms};
  price.environment["MARKUP"] = "1.1";
  (void)engine.add_function<Pricer>(price);
  (void)engine.add_function({.name = "checkout"}, [](const Event& ev, Context& ctx) {
    auto quote = ctx.invoke("price", ev.payload());  // suspends this fiber only
    if (!quote || !quote->ok()) return Response::error("QuoteFailed", "no price");
    return Response::ok("total=" + quote->payload.str());
  });
  (void)engine.add_function({.name = "crash"}, [](const Event&) -> Response {
    throw std::runtime_error("null order book");
  });
  (void)engine.add_function({.name = "slow", .timeout = 20ms}, [](const Event&, Context& ctx) {
    ctx.sleep_for(1s);  // fiber-aware; cut short at the deadline
    return Response::ok("too late");
  });

  std::puts("== invocations");
  show("echo", engine.invoke("echo", "hello"));
  show("echo again", engine.invoke("echo", "hello"));
  const std::string order = R"({"qty": 3, "px": 10.0})";
  show("price", engine.invoke("price", order));
  show("price, bad order", engine.invoke("price", R"({"qty": "three"})"));
  show("checkout (nested price)", engine.invoke("checkout", order));
  show("crash", engine.invoke("crash", ""));
  show("slow", engine.invoke("slow", ""));
  show("missing", engine.invoke("missing", ""));

  std::puts("== concurrency");
  (void)engine.put_function_concurrency("crash", 0);
  show("crash with reserved 0", engine.invoke("crash", ""));
  auto too_much = engine.put_function_concurrency("echo", 950);
  std::printf("%-34s -> %s\n", "reserve 950 of 1000",
              too_much ? "ok" : too_much.error().message.c_str());

  std::puts("== versions, aliases, provisioned concurrency");
  auto v1 = engine.publish_version("price").value();
  (void)engine.create_alias("price", {.name = "live", .function_version = v1});
  (void)engine.put_provisioned_concurrency("price:live", 4);  // 4 environments, initialised now
  show("price:live", engine.invoke("price:live", order));

  std::puts("== permissions and DryRun");
  (void)engine.add_permission("price", {.principal = "orders-service", .qualifier = "live"});
  auto allowed = engine.dry_run("price:live", order, {.principal = "orders-service"});
  auto denied = engine.dry_run("price", order, {.principal = "orders-service"});
  std::printf("%-34s -> %s\n", "dry run price:live", allowed ? "allowed" : "denied");
  std::printf("%-34s -> %s\n", "dry run price ($LATEST)",
              denied ? "allowed" : std::string(lambda_name(denied.error().code)).c_str());

  std::puts("== asynchronous (Event) invocation");
  std::latch outcomes(2);
  FunctionConfig notify{.name = "notify"};
  notify.async.maximum_retry_attempts = 1;
  notify.async.retry_delays = {10ms};
  notify.async.on_success.sink = [&](const InvocationRecord& r) {
    std::printf("%-34s -> on-success record: %s\n", "notify ok", r.json.substr(0, 96).c_str());
    outcomes.count_down();
  };
  notify.async.dead_letter = [&](const DeadLetter& d) {
    std::printf("%-34s -> dead letter ErrorCode=%.*s ErrorMessage=%.*s\n", "notify fail",
                static_cast<int>(d.error_code.size()), d.error_code.data(),
                static_cast<int>(d.error_message.size()), d.error_message.data());
    outcomes.count_down();
  };
  (void)engine.add_function(notify, [](const Event& ev) {
    return ev.body() == "fail" ? Response::error("SmtpDown", "mail server unreachable")
                               : Response::ok("sent");
  });
  auto id = engine.invoke_async("notify", "ok");  // returns at once (Lambda's 202)
  std::printf("%-34s -> accepted %s\n", "invoke_async notify", id->to_string().c_str());
  (void)engine.invoke_async("notify", "fail");  // fails, retried once after 10 ms, then DLQ
  outcomes.wait();

  std::puts("== metrics");
  for (const auto& f : engine.metrics().functions) {
    std::printf(
        "%-9s %-8s invocations=%llu errors=%llu throttles=%llu cold_starts=%llu "
        "environments=%u p50=%lldns\n",
        f.function_name.c_str(), f.version.c_str(), static_cast<unsigned long long>(f.invocations),
        static_cast<unsigned long long>(f.errors), static_cast<unsigned long long>(f.throttles),
        static_cast<unsigned long long>(f.cold_starts), f.environments,
        static_cast<long long>(f.duration.p50().count()));
  }
  return 0;
}
