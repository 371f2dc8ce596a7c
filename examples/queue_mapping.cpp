// Poll invocation: an event source mapping reads a standard (SQS-like) queue and invokes a
// function with batches of messages. With ReportBatchItemFailures the handler names the
// messages that failed; only those come back, once their visibility timeout ends.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <string>
#include <vector>

#include "nanofaas/nanofaas.hpp"

using namespace std::chrono_literals;

int main() {
  constexpr int orders_sent = 20;
  std::latch shipped(orders_sent);
  std::array<std::atomic<bool>, orders_sent + 1> done{};  // delivery is at-least-once
  std::atomic<int> on_later_receive{0};
  auto engine = nanofaas::Engine::create().value();
  auto added =
      engine.add_function({.name = "ship", .timeout = 50ms}, [&](const nanofaas::Event& event) {
        std::vector<std::string> failed;
        for (const nanofaas::Record& record : event.records()) {  // zero-copy views
          const int order = std::stoi(std::string(record.body.view()));
          if (order % 4 == 0 && record.receive_count == 1) {
            failed.emplace_back(record.id);  // every 4th order fails on its first receive
            continue;
          }
          if (record.receive_count > 1) on_later_receive.fetch_add(1);
          if (!done[order].exchange(true)) shipped.count_down();
        }
        return nanofaas::Response::batch_item_failures(std::move(failed));
      });
  // A message stays invisible at least as long as the function may run (Lambda's rule).
  auto orders = nanofaas::Queue::create({.name = "orders", .visibility_timeout = 50ms});
  if (!added || !orders) return 1;

  for (int i = 1; i <= orders_sent; ++i) (void)(*orders)->send(std::to_string(i));
  nanofaas::EventSourceMappingConfig config{.source = *orders, .function_name = "ship"};
  config.batch_size = 10;                    // Lambda's default for queues
  config.maximum_batching_window = 5ms;      // or fewer records, once this has passed
  config.report_batch_item_failures = true;  // FunctionResponseTypes: ReportBatchItemFailures
  auto uuid = engine.create_event_source_mapping(config);
  if (!uuid) return 1;
  std::printf("sent %d orders; mapping %s polls the queue\n", orders_sent, uuid->c_str());

  shipped.wait();
  std::printf("all %d orders shipped, %d of them on a later receive\n", orders_sent,
              on_later_receive.load());
  config.enabled = false;  // blocks until the batches in flight are settled
  if (!engine.update_event_source_mapping(*uuid, config)) return 1;
  const auto m = engine.event_source_mapping_metrics(*uuid).value();
  std::printf("mapping: %llu records polled, %llu succeeded, %llu batches (%llu with failures)\n",
              static_cast<unsigned long long>(m.records_polled),
              static_cast<unsigned long long>(m.records_succeeded),
              static_cast<unsigned long long>(m.batches),
              static_cast<unsigned long long>(m.batches_failed));
  std::printf("queue: %zu messages left\n",
              (*orders)->approximate_visible() + (*orders)->approximate_in_flight());
  return m.records_succeeded >= orders_sent ? 0 : 1;
}
