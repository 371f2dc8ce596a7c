// A stream (Kinesis-like) mapping with a tumbling window: records are grouped by arrival time
// into 60-second windows; each invocation gets the state the previous one of its window
// returned, and a final invocation, with no records, gets the window's result.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <string>

#include "nanofaas/nanofaas.hpp"

using namespace std::chrono_literals;

namespace {

/// A clock the host moves by hand: the example ends a 60-second window without waiting for it.
class ManualClock final : public nanofaas::Clock {
 public:
  time_point now() const noexcept override { return time_point(std::chrono::nanoseconds(ns_)); }
  void advance(std::chrono::nanoseconds d) noexcept { ns_ += d.count(); }

 private:
  std::atomic<std::int64_t> ns_{std::chrono::nanoseconds(1s).count()};
};

long long seconds(nanofaas::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

int main() {
  ManualClock clock;
  std::latch records_seen(5);
  std::latch window_closed(1);
  std::string result;
  auto engine = nanofaas::Engine::create({.clock = &clock}).value();
  auto added = engine.add_function({.name = "total"}, [&](const nanofaas::Event& event) {
    const nanofaas::TumblingWindow& w = *event.batch()->window;
    if (w.is_final_invoke_for_window) {
      result = std::string(w.state);
      std::printf("window [%llds, %llds): final invocation, state \"%s\"\n", seconds(w.start),
                  seconds(w.end), result.c_str());
      window_closed.count_down();
      return nanofaas::Response();
    }
    int total = w.state.empty() ? 0 : std::stoi(std::string(w.state));
    std::string values;
    for (const nanofaas::Record& r : event.records()) {
      total += std::stoi(std::string(r.body.view()));
      values.append(values.empty() ? "" : " ").append(r.body.view());
    }
    std::printf("window [%llds, %llds): records %s, state \"%s\" -> \"%d\"\n", seconds(w.start),
                seconds(w.end), values.c_str(), std::string(w.state).c_str(), total);
    records_seen.count_down(static_cast<std::ptrdiff_t>(event.records().size()));
    return nanofaas::Response().with_state(std::to_string(total));  // carried to the next call
  });
  auto stream = nanofaas::Stream::create({.name = "readings", .shards = 1, .clock = &clock});
  if (!added || !stream) return 1;

  for (const char* reading : {"3", "5", "7", "11", "13"}) {
    (void)(*stream)->put_record("sensor-1", reading);
  }
  nanofaas::EventSourceMappingConfig config{.source = *stream, .function_name = "total"};
  config.batch_size = 2;
  config.starting_position = nanofaas::StartingPosition::trim_horizon;
  config.tumbling_window = 60s;  // TumblingWindowInSeconds
  if (!engine.create_event_source_mapping(config)) return 1;

  records_seen.wait();
  clock.advance(60s);  // the window is over: the mapping makes its final invocation
  window_closed.wait();
  return result == "39" ? 0 : 1;
}
