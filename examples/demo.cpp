// A tour of nanofaas: functions and environments, sync and nested calls, errors and timeouts,
// concurrency controls, versions and aliases, permissions, JSON and metrics.

#include <atomic>
#include <cstdio>
#include <latch>
#include <string>
#include <thread>

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

  std::puts("== event source mapping (poll invocation)");
  // A batch handler over an SQS-like queue: records arrive as zero-copy views, JSON bodies parse
  // in place, and failed records are reported one by one (ReportBatchItemFailures).
  std::atomic<int> shipped{0};
  (void)engine.add_function({.name = "ship", .timeout = 20ms}, [&](const Event& ev, Context& ctx) {
    std::vector<std::string> failed;
    for (const Record& record : ev.records()) {
      auto doc = parse_json(record.body, ctx.local<JsonScratch>());
      std::int64_t qty = 0;
      if (doc["qty"].get_int64().get(qty) != simdjson::SUCCESS || qty <= 0) {
        failed.emplace_back(record.id);  // stays in the queue; redriven after 2 receives
      } else {
        shipped.fetch_add(1);
      }
    }
    return Response::batch_item_failures(std::move(failed));
  });
  auto dead_letters = Queue::create({.name = "orders-dlq"}).value();
  auto orders = Queue::create({.name = "orders",
                               .visibility_timeout = 20ms,  // at least ship's timeout
                               .max_receive_count = 2,
                               .dead_letter_queue = dead_letters})
                    .value();
  auto only_eu = FilterCriteria::compile({R"({"region":[{"prefix":"eu-"}]})"}).value();
  EventSourceMappingConfig mapping{.source = orders, .function_name = "ship", .batch_size = 10};
  mapping.filter_criteria = only_eu;
  mapping.report_batch_item_failures = true;
  auto uuid = engine.create_event_source_mapping(mapping).value();
  for (int i = 1; i <= 20; ++i) {
    std::string order = R"({"region":")";
    order += i % 4 == 0 ? "us-east-1" : "eu-west-1";
    order += R"(","qty":)";
    order += std::to_string(i % 5 == 0 ? 0 : i);  // qty 0 fails
    order += '}';
    (void)orders->send(Payload::copy_of(order));
  }
  while (orders->approximate_visible() + orders->approximate_in_flight() +
             orders->approximate_delayed() >
         0) {
    std::this_thread::sleep_for(1ms);  // the demo's host waits; handlers never block like this
  }
  (void)engine.delete_event_source_mapping(uuid);
  const auto m = engine.event_source_mapping_metrics(uuid);  // gone with the mapping
  std::printf("%-34s -> %d shipped, %zu in the dead-letter queue, mapping deleted: %s\n",
              "20 orders, 5 in the US (filtered)", shipped.load(),
              dead_letters->approximate_visible(), m ? "no" : "yes");

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
