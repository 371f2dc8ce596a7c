#include "queue_checks.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "payloads.hpp"

namespace soak {
namespace {

using namespace std::chrono_literals;

std::uint64_t depth(const nanofaas::Queue& q) {
  return q.approximate_visible() + q.approximate_in_flight() + q.approximate_delayed();
}

/// Receives and deletes everything visible in `queue`, recording each message as `where`.
/// A FIFO poll may return nothing while messages are visible: it moved the fronts of the
/// ready groups to the dead-letter queue instead, and their next messages come next time.
std::uint64_t drain(nanofaas::Queue& queue, MessageLedger& ledger, Found where) {
  auto reader = queue.open({});
  if (!reader) return 0;
  std::vector<nanofaas::Record> batch;
  std::uint64_t drained = 0;
  for (int empty_polls = 0; empty_polls < 100;) {
    if ((*reader)->poll(0, 1000, batch) == 0) {
      if (queue.approximate_visible() == 0) break;
      ++empty_polls;  // bounded: a group stuck for good is reported by the caller
      continue;
    }
    empty_polls = 0;
    for (const auto& r : batch) ledger.found(message_seq(r.body.view()), where);
    drained += batch.size();
    (*reader)->ack(batch);
    batch.clear();
  }
  return drained;
}

/// Waits until no message of `queue` is in flight or delayed (their timeouts end on their
/// own; nothing signals it).
bool wait_until_visible(const nanofaas::Queue& queue, std::chrono::nanoseconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (queue.approximate_in_flight() + queue.approximate_delayed() != 0) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);  // waiting for time to pass, not for another thread
  }
  return true;
}

const char* shape_name(QueueShape shape) {
  switch (shape) {
    case QueueShape::standard: return "standard";
    case QueueShape::wide: return "wide";
    case QueueShape::fifo: return "fifo";
  }
  return "?";
}

}  // namespace

std::vector<QueueTally> check_queues(QueueFarm& farm, MessageLedger& ledger, std::uint64_t seed,
                                     Violations& v) {
  std::vector<QueueTally> tallies(farm.queues().size());
  const auto patience = farm.longest_visibility_timeout() + 5s;
  for (auto& q : farm.queues()) {
    QueueTally& t = tallies[q.index];
    t.index = q.index;
    t.shape = q.shape;
    t.mappings = q.totals;
    const std::string name(q.queue->name());
    // Counted once nothing is in flight or delayed: the three counts are read one after the
    // other, and a message whose timeout ends in between would be missed. With the mappings
    // stopped, nothing else moves a message meanwhile.
    if (!wait_until_visible(*q.queue, patience)) {
      v.add("messages stayed in flight after the visibility timeout", name);
    }
    const std::uint64_t in_queue = depth(*q.queue);
    const std::uint64_t dead = depth(*q.dead_letters);
    // Dead letters first; then the queue, whose final receives may redrive more of them.
    v.expect_equal("dead-letter queue drained = its depth at shutdown: " + name, dead,
                   drain(*q.dead_letters, ledger, Found::in_dead_letters));
    const std::uint64_t drained =
        drain(*q.queue, ledger, Found::in_queue) + drain(*q.dead_letters, ledger, Found::in_queue);
    v.expect_equal("queue drained = its depth at shutdown: " + name, in_queue, drained);
    if (depth(*q.queue) != 0) {
      v.add("queue not empty after the drain",
            name + ": " + std::to_string(q.queue->approximate_visible()) + " visible, " +
                std::to_string(q.queue->approximate_in_flight()) + " in flight, " +
                std::to_string(q.queue->approximate_delayed()) + " delayed");
    }
  }
  for (std::uint64_t seq = 0; seq < ledger.issued(); ++seq) {
    const MessageEntry e = ledger.entry(seq);
    const std::string what = "message " + std::to_string(seq);
    const unsigned found = e.found_in_queue() + e.found_in_dead_letters();
    if (!e.sent()) {
      if (e.bits != 0) v.add("a message that was never sent ran or was found", what);
      continue;
    }
    QueueTally& t = tallies.at(e.queue);
    ++t.sent;
    t.runs += e.successes();
    t.processed += e.successes() != 0;
    const char kind = kind_of_message(seq, seed);
    if (kind == message_kind::poison && e.successes() != 0) {
      v.add("a poison message was reported processed", what);
    }
    if (found > 1) {
      v.add("a message was found in more than one place", what);
    } else if (e.found_in_queue() == 1) {
      ++t.in_queue;
    } else if (e.found_in_dead_letters() == 1) {
      ++t.dead_lettered;
      t.dead_after_success += e.successes() != 0;
    } else {
      const bool filterable = kind == message_kind::filtered || kind == message_kind::not_json;
      if (e.successes() == 0 && !filterable) {
        v.add("a message was lost: deleted, yet never processed nor filtered", what);
      }
      ++t.deleted;
      t.filtered_kind += filterable && e.successes() == 0;
    }
  }
  v.expect_equal("message outcomes with no traceable message", 0, ledger.untraceable());
  return tallies;
}

void print_queues(const std::vector<QueueTally>& tallies) {
  std::printf(
      "queues: sent = deleted (processed or filtered) + in queue + dead-lettered; mapping "
      "counters beside\n"
      "  %-5s %-8s %9s %9s %8s %8s %8s %9s  %9s %9s %8s %8s %8s\n",
      "queue", "shape", "sent", "deleted", "filtered", "in queue", "dead", "runs", "polled",
      "succeeded", "filtered", "batches", "failed");
  QueueTally sum;
  const auto u = [](std::uint64_t n) { return static_cast<unsigned long long>(n); };
  for (const auto& t : tallies) {
    std::printf("  q%-4u %-8s %9llu %9llu %8llu %8llu %8llu %9llu  %9llu %9llu %8llu %8llu %8llu\n",
                t.index, shape_name(t.shape), u(t.sent), u(t.deleted), u(t.filtered_kind),
                u(t.in_queue), u(t.dead_lettered), u(t.runs), u(t.mappings.polled),
                u(t.mappings.succeeded), u(t.mappings.filtered), u(t.mappings.batches),
                u(t.mappings.batches_failed));
    sum.sent += t.sent;
    sum.deleted += t.deleted;
    sum.filtered_kind += t.filtered_kind;
    sum.in_queue += t.in_queue;
    sum.dead_lettered += t.dead_lettered;
    sum.runs += t.runs;
    sum.processed += t.processed;
    sum.dead_after_success += t.dead_after_success;
    sum.mappings.polled += t.mappings.polled;
    sum.mappings.succeeded += t.mappings.succeeded;
    sum.mappings.filtered += t.mappings.filtered;
    sum.mappings.batches += t.mappings.batches;
    sum.mappings.batches_failed += t.mappings.batches_failed;
    sum.mappings.batches_throttled += t.mappings.batches_throttled;
  }
  std::printf(
      "  all   %-8s %9llu %9llu %8llu %8llu %8llu %9llu  %9llu %9llu %8llu %8llu %8llu\n"
      "  %llu messages sent = %llu deleted + %llu in queue + %llu dead-lettered; %llu runs of "
      "%llu messages, %llu dead-lettered after a run, %llu throttled batches\n",
      "", u(sum.sent), u(sum.deleted), u(sum.filtered_kind), u(sum.in_queue), u(sum.dead_lettered),
      u(sum.runs), u(sum.mappings.polled), u(sum.mappings.succeeded), u(sum.mappings.filtered),
      u(sum.mappings.batches), u(sum.mappings.batches_failed), u(sum.sent), u(sum.deleted),
      u(sum.in_queue), u(sum.dead_lettered), u(sum.runs), u(sum.processed),
      u(sum.dead_after_success), u(sum.mappings.batches_throttled));
}

}  // namespace soak
