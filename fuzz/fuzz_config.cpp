// Fuzzes configuration validation: an engine created from a random EngineConfig, then random
// registrations and settings (FunctionConfig, AsyncConfig, aliases, concurrency, permissions,
// event source mappings over a queue, a FIFO queue and a stream), with calls that use them in
// between (invocations, sends, reclaiming). Properties: nothing crashes, throws or trips a
// sanitizer (overflowing durations and sizes included); every refusal is a known error code
// with a message; what a call accepted reads back as given.

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config_values.hpp"
#include "fuzz_check.hpp"
#include "manual_clock.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::Engine;
using nanofaas::Errc;
using nanofaas::fuzz::ConfigValues;

constexpr std::size_t max_operations = 24;

void check_error(const nanofaas::Error& error) {
  NANOFAAS_FUZZ_CHECK(error.code >= Errc::not_found && error.code <= Errc::recursive_invocation,
                      "an engine error has a known code");
  NANOFAAS_FUZZ_CHECK(!nanofaas::lambda_name(error.code).empty(), "an error has a Lambda name");
  NANOFAAS_FUZZ_CHECK(!error.message.empty(), "an engine error says why");
}

// Checks the error of a failed call; true when the call succeeded.
template <class T>
bool accepted(const nanofaas::Expected<T>& result) {
  if (!result) check_error(result.error());
  return result.has_value();
}

bool same_async(const nanofaas::AsyncConfig& a, const nanofaas::AsyncConfig& b) {
  return a.maximum_retry_attempts == b.maximum_retry_attempts && a.retry_delays == b.retry_delays &&
         a.maximum_event_age == b.maximum_event_age && a.max_queue_depth == b.max_queue_depth &&
         a.on_success.function == b.on_success.function &&
         a.on_failure.function == b.on_failure.function &&
         a.dead_letter_queue == b.dead_letter_queue;
}

class ConfigFuzz {
 public:
  explicit ConfigFuzz(FuzzedDataProvider& in)
      : in_(in), sources_(make_sources(clock_)), values_(in, clock_, sources_) {}

  void run() {
    auto created = Engine::create(values_.engine());
    if (!accepted(created)) {
      NANOFAAS_FUZZ_CHECK(created.error().code == Errc::invalid_argument,
                          "an unusable engine configuration is invalid_argument");
      return;
    }
    Engine& engine = *created;
    for (std::size_t n = 0; n < max_operations && in_.remaining_bytes() > 0; ++n) {
      switch (in_.ConsumeIntegralInRange(0, 9)) {
        case 0: add_function(engine); break;
        case 1: event_invoke_config(engine); break;
        case 2: concurrency(engine); break;
        case 3: versions(engine); break;
        case 4: (void)accepted(engine.add_permission(values_.name(), values_.statement())); break;
        case 5: mapping(engine); break;
        case 6: invoke(engine); break;
        case 7: send(); break;
        case 8: clock_.advance(values_.clock_step()); break;
        case 9: (void)engine.reclaim_idle_environments(); break;
      }
    }
    (void)engine.metrics();
  }

 private:
  static ConfigValues::Sources make_sources(const nanofaas::Clock& clock) {
    using nanofaas::Queue;
    ConfigValues::Sources s;
    s.queue = Queue::create({.name = "q", .clock = &clock}).value();
    s.fifo_queue = Queue::create({.name = "q.fifo", .fifo = true, .clock = &clock}).value();
    s.stream = nanofaas::Stream::create({.name = "s", .shards = 2, .clock = &clock}).value();
    return s;
  }

  void add_function(Engine& engine) {
    nanofaas::FunctionConfig config = values_.function();
    const std::string name = config.name;
    const nanofaas::AsyncConfig async = config.async;
    const bool existed = engine.get_function_event_invoke_config(name).has_value();
    nanofaas::Status added;
    switch (in_.ConsumeIntegralInRange(0, 2)) {
      case 0:
        added = engine.add_function(std::move(config), [](const nanofaas::Event& event) {
          return nanofaas::Response::ok(event.body());
        });
        break;
      case 1:
        // Slow enough for calls to overlap, and so to be throttled by a small limit.
        added = engine.add_function(std::move(config),
                                    [](const nanofaas::Event& event, nanofaas::Context& context) {
                                      (void)context.sleep_for(1ms);
                                      return nanofaas::Response::ok(event.body());
                                    });
        break;
      default:
        added = engine.add_function(std::move(config),
                                    [](const nanofaas::Event&) -> nanofaas::Response {
                                      throw std::runtime_error("failing handler");
                                    });
        break;
    }
    if (!accepted(added)) {
      const Errc code = added.error().code;
      NANOFAAS_FUZZ_CHECK(
          code == Errc::invalid_argument || (existed && code == Errc::already_exists),
          "a registration is refused as invalid or as a duplicate");
      return;
    }
    NANOFAAS_FUZZ_CHECK(!existed, "a name is registered once");
    auto read = engine.get_function_event_invoke_config(name);
    NANOFAAS_FUZZ_CHECK(read.has_value() && same_async(*read, async),
                        "a function's async settings read back as given");
  }

  void event_invoke_config(Engine& engine) {
    const std::string target = values_.qualified_name();
    nanofaas::AsyncConfig config = values_.async();
    const nanofaas::AsyncConfig given = config;
    if (!accepted(engine.put_function_event_invoke_config(target, std::move(config)))) return;
    auto read = engine.get_function_event_invoke_config(target);
    NANOFAAS_FUZZ_CHECK(read.has_value() && same_async(*read, given),
                        "event invoke settings read back as put");
  }

  void concurrency(Engine& engine) {
    const std::string name = values_.name();
    switch (in_.ConsumeIntegralInRange(0, 2)) {
      case 0:
        (void)accepted(engine.put_function_concurrency(
            name, values_.pick<std::uint32_t>({1, 0, 900, 901, UINT32_MAX})));
        break;
      case 1: (void)accepted(engine.delete_function_concurrency(name)); break;
      default:
        // Small counts only: a large accepted one initialises that many environments.
        (void)accepted(engine.put_provisioned_concurrency(
            values_.qualified_name(), values_.pick<std::uint32_t>({1, 0, 2, UINT32_MAX})));
        break;
    }
  }

  void versions(Engine& engine) {
    const std::string name = values_.name();
    switch (in_.ConsumeIntegralInRange(0, 3)) {
      case 0: {
        auto version = engine.publish_version(name);
        if (accepted(version)) {
          NANOFAAS_FUZZ_CHECK(!version->empty() && version->front() != '0',
                              "versions are numbered from 1");
        }
        break;
      }
      case 1: (void)accepted(engine.create_alias(name, values_.alias())); break;
      case 2: (void)accepted(engine.update_alias(name, values_.alias())); break;
      default:
        (void)accepted(engine.delete_alias(name, values_.pick<std::string>({"live", "", "1"})));
        break;
    }
  }

  void mapping(Engine& engine) {
    nanofaas::EventSourceMappingConfig config = values_.mapping();
    const auto given = config;
    auto uuid = engine.create_event_source_mapping(std::move(config));
    if (!accepted(uuid)) return;
    auto read = engine.get_event_source_mapping(*uuid);
    NANOFAAS_FUZZ_CHECK(read.has_value() && read->source == given.source &&
                            read->function_name == given.function_name &&
                            read->batch_size == given.batch_size &&
                            read->maximum_batching_window == given.maximum_batching_window,
                        "a mapping's settings read back as given");
    NANOFAAS_FUZZ_CHECK(accepted(engine.event_source_mapping_metrics(*uuid)),
                        "a mapping has metrics");
    if (values_.flag()) {
      nanofaas::EventSourceMappingConfig update = values_.mapping();
      update.source = given.source;
      update.starting_position = given.starting_position;
      update.starting_position_timestamp = given.starting_position_timestamp;
      (void)accepted(engine.update_event_source_mapping(*uuid, std::move(update)));
    }
    if (values_.flag()) {
      NANOFAAS_FUZZ_CHECK(accepted(engine.delete_event_source_mapping(*uuid)),
                          "a mapping is deleted once");
      auto gone = engine.get_event_source_mapping(*uuid);
      NANOFAAS_FUZZ_CHECK(!gone && gone.error().code == Errc::not_found,
                          "a deleted mapping is gone");
    }
  }

  void invoke(Engine& engine) {
    const std::string target = values_.qualified_name();
    const std::string body = in_.ConsumeRandomLengthString(16);
    switch (in_.ConsumeIntegralInRange(0, 2)) {
      case 0: {
        auto result = engine.invoke(target, nanofaas::Payload::copy_of(body),
                                    {.principal = values_.pick<std::string_view>({"", "alice"})});
        if (accepted(result) && !result->function_error) {
          NANOFAAS_FUZZ_CHECK(result->payload.view() == body, "the echo handler echoes");
        }
        break;
      }
      case 1: (void)accepted(engine.invoke_async(target, nanofaas::PayloadView(body))); break;
      default: (void)accepted(engine.dry_run(target, nanofaas::PayloadView(body))); break;
    }
  }

  // Feeds the mappings' sources.
  void send() {
    const std::string body = values_.pick<std::string>({R"({"a":1})", "plain", ""});
    (void)accepted(sources_.queue->send(nanofaas::PayloadView(body)));
    (void)accepted(
        sources_.fifo_queue->send(nanofaas::PayloadView(body), {.message_group_id = "g"}));
    (void)accepted(sources_.stream->put_record("k", nanofaas::PayloadView(body)));
  }

  FuzzedDataProvider& in_;
  nanofaas::fuzz::ManualClock clock_;
  ConfigValues::Sources sources_;
  ConfigValues values_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  try {
    ConfigFuzz(in).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threw: %s\n", e.what());
    NANOFAAS_FUZZ_CHECK(false, "the engine's API does not throw");
  }
  return 0;
}
