#include "traffic.hpp"

#include <thread>
#include <vector>

#include "payloads.hpp"

namespace soak {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// A behaviour for a host event, by weight (per mille).
char pick_behaviour(std::uint64_t roll) {
  struct Weighted {
    char behaviour;
    unsigned weight;
  };
  static constexpr Weighted weights[] = {
      {behaviour::succeed, 540}, {behaviour::fail, 80},         {behaviour::throw_error, 60},
      {behaviour::time_out, 25}, {behaviour::flaky, 60},        {behaviour::nested_call, 70},
      {behaviour::loop, 2},      {behaviour::nested_event, 80}, {behaviour::pause, 83}};
  unsigned r = static_cast<unsigned>(roll % 1000);
  for (const auto& w : weights) {
    if (r < w.weight) return w.behaviour;
    r -= w.weight;
  }
  return behaviour::succeed;
}

/// "a123", or for a versioned function now and then "a123:live" or "a123:2" (which may not
/// exist yet, or no longer).
std::string pick_target(const Fleet& fleet, std::uint64_t roll) {
  std::string name = fleet.async_names[roll % fleet.async_names.size()];
  if (!fleet.versioned(name)) return name;
  const std::uint64_t qualifier = (roll >> 32) % 100;
  if (qualifier < 30) name += ":live";
  if (qualifier >= 30 && qualifier < 45) {
    name += ':';
    name += std::to_string(1 + (roll >> 40) % 4);
  }
  return name;
}

/// Events accepted and not yet ended, at most: the producers go at the engine's pace, with a
/// backlog deep enough for event ages to run out and spills at shutdown.
constexpr std::uint64_t max_event_backlog = 10'000;
/// Messages visible in a queue, at most, before the producer picks another queue.
constexpr std::size_t max_visible_messages = 2'000;

/// True when this producer (of `share` producers, `done` sent) may send another; else it
/// waits a millisecond first.
bool wait_for_pacer(const Traffic& traffic, const Pacer& pacer, std::uint64_t done,
                    unsigned share) {
  if (traffic.burst->load(std::memory_order_relaxed)) return true;
  if (pacer.allowed(steady::now()) / share > done) return true;
  std::this_thread::sleep_for(1ms);  // pacing the load, not synchronising
  return false;
}

/// Sends one message, waiting while its queue is full; false if it was not sent.
bool send_message(const Traffic& traffic, MappedQueue& q, std::uint64_t seq,
                  const std::string& body, std::chrono::nanoseconds delay) {
  nanofaas::SendOptions options{.delay = delay};
  std::string group;
  if (q.shape == QueueShape::fifo) {
    group = 'g';
    group += std::to_string(seq % 16);
    options.message_group_id = group;
  }
  for (;;) {
    auto sent = q.queue->send(nanofaas::PayloadView(body), options);
    if (sent) {
      traffic.messages->sent(seq, q.index);
      traffic.counters->messages_sent.fetch_add(1);
      return true;
    }
    if (sent.error().code != nanofaas::Errc::resource_exhausted) {
      traffic.counters->send_errors.fetch_add(1);
      return false;
    }
    traffic.counters->sends_refused_full.fetch_add(1);
    if (traffic.stop->load()) return false;
    std::this_thread::sleep_for(1ms);  // backpressure from a full queue
  }
}

}  // namespace

std::uint64_t Pacer::allowed(steady::time_point now) const {
  if (duration_seconds_ <= 0) return UINT64_MAX;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double slices = static_cast<double>(static_cast<std::uint64_t>(seconds * 10) + 1);
  return static_cast<std::uint64_t>(static_cast<double>(total_) * slices /
                                    (duration_seconds_ * 10));
}

void produce_events(const Traffic& traffic, unsigned producer, unsigned producers) {
  std::uint64_t state = mix(traffic.fleet->seed, 100 + producer);
  std::uint64_t tried = 0;
  AsyncLedger& ledger = *traffic.ledger;
  while (!traffic.stop->load(std::memory_order_relaxed)) {
    if (!wait_for_pacer(traffic, traffic.events, tried, producers)) continue;
    if (ledger.accepted_count() > ledger.ended_count() + max_event_backlog) {
      std::this_thread::sleep_for(1ms);  // backpressure from the engine's backlog
      continue;
    }
    const auto seq = ledger.next_seq();
    if (!seq) {
      std::this_thread::sleep_for(1ms);  // the ledger is full: wait for the stop
      continue;
    }
    ++tried;
    state = mix(state, *seq);
    const std::string name = pick_target(*traffic.fleet, state);
    const std::size_t padding = mix(state, 1) % 10 == 0 ? 100 + mix(state, 2) % 300 : 0;
    const std::string body = async_body(*seq, pick_behaviour(mix(state, 3)), padding);
    const std::uint64_t how = mix(state, 4) % 4;
    const auto invoke = [&]() -> nanofaas::Expected<nanofaas::RequestId> {
      if (how == 0) {
        return traffic.engine->invoke_async(name, nanofaas::Payload::copy_of(body),
                                            [&ledger, s = *seq](nanofaas::AsyncOutcome&& o) {
                                              ledger.completed(s, o.condition, o.request_id);
                                            });
      }
      if (how == 1) return traffic.engine->invoke_async(name, nanofaas::Payload::copy_of(body));
      return traffic.engine->invoke_async(name, nanofaas::PayloadView(body));
    };
    const auto id = invoke();
    if (id) {
      ledger.accepted(*seq, *id, traffic.fleet->profile_of(name), how == 0);
      if (how == 0) traffic.counters->events_with_completion.fetch_add(1);
      continue;
    }
    ledger.rejected(*seq);
    traffic.counters->events_refused.fetch_add(1);
    traffic.counters->refused_by_code[static_cast<std::size_t>(id.error().code) % 16].fetch_add(1);
    const auto code = id.error().code;
    if (code == nanofaas::Errc::resource_exhausted || code == nanofaas::Errc::unavailable) {
      std::this_thread::sleep_for(1ms);  // a full event queue, or the engine shutting down
    }
  }
}

void produce_messages(const Traffic& traffic) {
  std::uint64_t state = mix(traffic.fleet->seed, 200);
  std::uint64_t tried = 0;
  auto& queues = traffic.farm->queues();
  std::vector<nanofaas::Payload> batch;
  std::vector<std::uint64_t> batch_seqs;
  while (!traffic.stop->load(std::memory_order_relaxed)) {
    if (!wait_for_pacer(traffic, traffic.records, tried, 1)) continue;
    state = mix(state, tried);
    MappedQueue& q = queues[state % queues.size()];
    if (q.queue->approximate_visible() > max_visible_messages) {
      if (mix(state, 9) % 8 == 0) std::this_thread::sleep_for(1ms);  // all may be full
      continue;
    }
    const bool as_batch = q.shape != QueueShape::fifo && mix(state, 1) % 10 == 0;
    const std::size_t count = as_batch ? 16 : 1;
    batch.clear();
    batch_seqs.clear();
    std::vector<std::string> bodies;
    for (std::size_t k = 0; k < count; ++k) {
      const auto seq = traffic.messages->next_seq();
      if (!seq) break;
      const std::size_t padding = mix(*seq, 5) % 4 == 0 ? 200 : 0;
      bodies.push_back(message_body(*seq, kind_of_message(*seq, traffic.fleet->seed), padding));
      batch_seqs.push_back(*seq);
    }
    if (batch_seqs.empty()) {
      std::this_thread::sleep_for(1ms);  // the ledger is full: wait for the stop
      continue;
    }
    tried += batch_seqs.size();
    std::size_t sent = 0;
    if (as_batch) {
      for (const auto& body : bodies) batch.push_back(nanofaas::Payload::copy_of(body));
      sent = q.queue->send_batch(batch);
      for (std::size_t k = 0; k < sent; ++k) traffic.messages->sent(batch_seqs[k], q.index);
      traffic.counters->messages_sent.fetch_add(sent);
    }
    for (std::size_t k = sent; k < batch_seqs.size(); ++k) {
      const auto delay = mix(batch_seqs[k], 6) % 32 == 0
                             ? std::chrono::milliseconds(1 + mix(batch_seqs[k], 7) % 20)
                             : std::chrono::milliseconds(0);
      if (!send_message(traffic, q, batch_seqs[k], bodies[k], delay)) break;
    }
  }
}

void call_synchronously(const Traffic& traffic) {
  std::uint64_t state = mix(traffic.fleet->seed, 300);
  constexpr char choices[] = {behaviour::succeed, behaviour::fail,        behaviour::throw_error,
                              behaviour::pause,   behaviour::nested_call, behaviour::time_out};
  TrafficCounters& c = *traffic.counters;
  while (!traffic.stop->load(std::memory_order_relaxed)) {
    state = mix(state, 1);
    const char b = choices[state % sizeof choices];
    const auto& name = traffic.fleet->async_names[(state >> 8) % traffic.fleet->async_names.size()];
    // The body handed over: a callee that starts after the caller's deadline still reads it.
    const auto result = traffic.engine->invoke(name, nanofaas::Payload::copy_of(untracked_body(b)));
    if (!result) {
      c.sync_engine_errors.fetch_add(1);
    } else if (result->ok()) {
      c.sync_ok.fetch_add(1);
      if (b != behaviour::succeed && b != behaviour::pause && b != behaviour::nested_call) {
        c.sync_unexpected.fetch_add(1);
      }
    } else {
      c.sync_function_errors.fetch_add(1);
      const std::string& type = result->function_error->error_type;
      const bool expected = type == "Sandbox.Timedout" ||
                            (b == behaviour::fail && type == "SoakFailure") ||
                            (b == behaviour::throw_error && type == "std::runtime_error") ||
                            (b == behaviour::nested_call && type == "SoakNested");
      if (!expected) c.sync_unexpected.fetch_add(1);
    }
    std::this_thread::sleep_for(200us);  // a light synchronous load beside the events
  }
}

}  // namespace soak
