#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nanofaas/nanofaas.hpp"

namespace nanofaas::fuzz {

/// Configuration values drawn from the fuzzer's input: each field one of a few choices, Lambda's
/// range edges and values just past them, overflow-prone extremes, and the default first (what
/// an exhausted input gets). Sizes that would be slow rather than wrong (thousands of workers
/// or provisioned environments) are left out.
class ConfigValues {
 public:
  /// The sources mappings and destinations may name, made by the caller.
  struct Sources {
    std::shared_ptr<Queue> queue;
    std::shared_ptr<Queue> fifo_queue;
    std::shared_ptr<Stream> stream;
  };

  ConfigValues(FuzzedDataProvider& in, const Clock& clock, Sources sources)
      : in_(in), clock_(clock), sources_(std::move(sources)) {}

  template <class T>
  T pick(std::initializer_list<T> choices) {
    return choices.begin()[in_.ConsumeIntegralInRange<std::size_t>(0, choices.size() - 1)];
  }
  bool flag() { return in_.ConsumeBool(); }

  /// A duration near `usual`, or an edge: none, negative, the longest.
  std::chrono::nanoseconds duration(std::chrono::nanoseconds usual,
                                    std::chrono::nanoseconds limit) {
    using std::chrono::nanoseconds;
    return pick<nanoseconds>({usual, nanoseconds{0}, nanoseconds{1}, nanoseconds{-1}, limit,
                              limit + nanoseconds{1}, nanoseconds::max(), nanoseconds::min()});
  }

  /// How far the test clock moves: past the engine's limits, but never by an amount no
  /// clock moves (a time difference beyond `nanoseconds::max()` is not representable).
  std::chrono::nanoseconds clock_step() {
    using namespace std::chrono_literals;
    return pick<std::chrono::nanoseconds>({1s, 0s, 1ns, 61s, 6h + 1ns, 24h, 7 * 24h + 1ns});
  }

  /// A function name: one of three valid ones, or one Lambda refuses.
  std::string name() {
    return pick<std::string>({"f", "g", "h_2-x", "", std::string(65, 'n'), "bad name", "$LATEST"});
  }
  /// A name to call: a function name with or without a qualifier.
  std::string qualified_name() {
    return name() + pick<std::string>({"", ":$LATEST", ":1", ":2", ":live", ":", ":nope"});
  }

  EngineConfig engine() {
    EngineConfig c;
    c.workers = pick<std::uint32_t>({1, 2, 0, 1025});
    c.concurrency_limit = pick<std::uint32_t>({1000, 1, 5, 0, 1u << 31});
    c.unreserved_concurrency_min = pick<std::uint32_t>({100, 0, 1, 1000, 1001});
    c.max_request_bytes = pick<std::size_t>({6u << 20, 0, 1, max_size});
    c.max_response_bytes = pick<std::size_t>({6u << 20, 0, 1, max_size});
    c.keep_alive = duration(std::chrono::minutes(10), std::chrono::hours(24));
    c.stack_size = pick<std::size_t>({256u << 10, 16u << 10, (16u << 10) - 1, 0, (1u << 30) + 1});
    c.stack_reserve = pick<std::size_t>({16, 0, 1, 4097});
    // No long finite spins: legal, but they would only slow the fuzzer down.
    c.idle_spin = pick<std::chrono::nanoseconds>(
        {std::chrono::microseconds(50), std::chrono::nanoseconds{0}, std::chrono::nanoseconds{-1},
         std::chrono::nanoseconds::min(), std::chrono::nanoseconds::max()});
    c.caller_spin = pick<std::chrono::nanoseconds>(
        {std::chrono::microseconds(20), std::chrono::nanoseconds{0}, std::chrono::nanoseconds{-1},
         std::chrono::nanoseconds::min(), std::chrono::nanoseconds::max()});
    c.max_async_request_bytes = pick<std::size_t>({1u << 20, 0, 1, max_size});
    c.async_throttle_backoff = duration(std::chrono::milliseconds(1), std::chrono::minutes(5));
    c.async_throttle_backoff_max = duration(std::chrono::milliseconds(5), std::chrono::minutes(5));
    c.shutdown_drain = duration(std::chrono::milliseconds(10), std::chrono::seconds(5));
    if (flag()) c.clock = pick<const Clock*>({&clock_, nullptr});
    if (flag()) {
      const bool null_queue = flag();
      c.async_queue = [null_queue](std::string_view, std::string_view, std::size_t depth) {
        return null_queue ? nullptr : make_in_memory_async_queue(depth);
      };
    }
    return c;
  }

  /// A destination: nothing, or any mix of a function, a queue (maybe FIFO) and a callback.
  Destination destination() {
    Destination d;
    if (flag()) d.function = name();
    if (flag()) d.queue = pick<std::shared_ptr<Queue>>({sources_.queue, sources_.fifo_queue});
    if (flag()) d.sink = [](const InvocationRecord&) {};
    return d;
  }

  AsyncConfig async() {
    AsyncConfig c;
    c.maximum_retry_attempts = pick<std::uint32_t>({2, 0, 1, 3, max_u32});
    const std::size_t delays = pick<std::size_t>({2, 0, 1, 3});
    c.retry_delays.clear();
    for (std::size_t k = 0; k < delays; ++k) {
      c.retry_delays.push_back(duration(std::chrono::milliseconds(1), std::chrono::hours(24)));
    }
    c.maximum_event_age = duration(std::chrono::hours(6), std::chrono::hours(6));
    if (flag()) c.on_success = destination();
    if (flag()) c.on_failure = destination();
    if (flag()) c.dead_letter = [](const DeadLetter&) {};
    if (flag()) {
      c.dead_letter_queue = pick<std::shared_ptr<Queue>>({sources_.queue, sources_.fifo_queue});
    }
    c.max_queue_depth = pick<std::size_t>({100000, 1, 0, max_size});
    return c;
  }

  FunctionConfig function() {
    FunctionConfig c;
    c.name = name();
    c.description = in_.ConsumeRandomLengthString(8);
    c.timeout = duration(std::chrono::seconds(3), std::chrono::hours(24));
    if (flag()) c.reserved_concurrency = pick<std::uint32_t>({1, 0, 900, 901, max_u32});
    const std::size_t variables = pick<std::size_t>({0, 1, 3});
    for (std::size_t k = 0; k < variables; ++k) {
      c.environment[pick<std::string>({"A", "", "B"})] =
          std::string(pick<std::size_t>({4, 0, 4095, 4096}), 'v');
    }
    if (flag()) c.keep_alive = duration(std::chrono::minutes(10), std::chrono::hours(24));
    c.max_request_bytes = pick<std::size_t>({0, 1, 6u << 20, max_size});
    c.max_response_bytes = pick<std::size_t>({0, 1, 6u << 20, max_size});
    if (flag()) c.policy.push_back(statement());
    c.recursive_loop = pick<RecursiveLoop>({RecursiveLoop::terminate, RecursiveLoop::allow});
    if (flag()) c.async = async();
    return c;
  }

  PolicyStatement statement() {
    return {.principal = pick<std::string>({"*", "", "alice"}),
            .qualifier = pick<std::string>({"", "1", "live", "$LATEST", "nope"})};
  }

  AliasConfig alias() {
    return {.name = pick<std::string>({"live", "", "7", "bad alias", "$LATEST"}),
            .function_version = pick<std::string>({"1", "2", "$LATEST", "", "9"}),
            .additional_version = pick<std::string>({"", "2", "1", "9"}),
            .additional_weight =
                pick<double>({0.5, 0.0, 1.0, -0.1, 1.1, std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity()})};
  }

  EventSourceMappingConfig mapping() {
    EventSourceMappingConfig c;
    c.source = pick<std::shared_ptr<Source>>(
        {sources_.queue, sources_.fifo_queue, sources_.stream, nullptr});
    c.function_name = qualified_name();
    c.enabled = pick<bool>({true, false});
    if (flag()) c.batch_size = pick<std::uint32_t>({10, 1, 0, 11, 10000, 10001, max_u32});
    c.maximum_batching_window = duration(std::chrono::nanoseconds{0}, std::chrono::seconds(300));
    if (flag() || c.source == sources_.stream) {
      c.starting_position =
          pick<StartingPosition>({StartingPosition::trim_horizon, StartingPosition::latest,
                                  StartingPosition::at_timestamp});
    }
    c.starting_position_timestamp = pick<Clock::time_point>(
        {clock_.now(), Clock::time_point{}, Clock::time_point::max(), Clock::time_point::min()});
    if (flag()) c.filter_criteria = FilterCriteria::compile({R"({"a":[1]})"}).value();
    c.report_batch_item_failures = flag();
    c.bisect_batch_on_function_error = flag();
    c.maximum_retry_attempts = pick<std::int32_t>({-1, 0, 10000, 10001, -2});
    if (flag()) c.maximum_record_age = duration(std::chrono::seconds(60), std::chrono::hours(168));
    c.parallelization_factor = pick<std::uint32_t>({1, 10, 0, 11});
    c.tumbling_window = duration(std::chrono::nanoseconds{0}, std::chrono::seconds(900));
    if (flag()) c.on_failure = destination();
    if (flag()) c.maximum_concurrency = pick<std::uint32_t>({5, 2, 1000, 0, 1, 1001});
    return c;
  }

 private:
  static constexpr std::size_t max_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::uint32_t max_u32 = std::numeric_limits<std::uint32_t>::max();

  FuzzedDataProvider& in_;
  const Clock& clock_;
  Sources sources_;
};

}  // namespace nanofaas::fuzz
