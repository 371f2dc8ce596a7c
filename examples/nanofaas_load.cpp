// nanofaas_load: runs the load generator against one of a few example functions and prints
// the latency distribution (from each event's scheduled send time) and the counts.
//
//   nanofaas_load --function echo --rate 100000 --duration 2s --warmup 200ms --mode async
//   nanofaas_load --function spin --rate 0 --concurrency 4 --count 100000 --format csv

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "nanofaas/json.hpp"
#include "nanofaas/load_generator.hpp"
#include "nanofaas/nanofaas.hpp"

using namespace nanofaas;

namespace {

constexpr std::string_view usage = R"(usage: nanofaas_load [options]

Runs an open-loop (fixed rate) or closed-loop load against an example function in an
in-process nanofaas engine. Latency counts from each event's scheduled send time.

  --function NAME     echo | parse | spin | fail                      (default echo)
  --rate R            events/s, with an optional k or M suffix; 0 = closed loop (default 10k)
  --concurrency N     closed loop: calls in flight; sync mode: driver threads   (default 1)
  --duration D        measured time, e.g. 500ms, 2s, 1m                    (default 1s)
  --count N           measured events instead of a duration
  --warmup D          unmeasured time first                             (default 100ms)
  --mode M            async (invoke_async) | sync (invoke)              (default async)
  --workers N         engine worker threads                                  (default 2)
  --idle-spin D       how long an idle worker spins at most before it sleeps (default 50us)
  --payload TEXT      request body                       (default a small JSON order)
  --spin D            busy time of `spin`                                   (default 1us)
  --fail-rate F       fraction of calls `fail` fails, 0..1                  (default 0.1)
  --format F          text | csv | json                                  (default text)
  --out FILE          write the report there instead of stdout
  --no-progress       no progress bar (it is drawn only when stderr is a terminal)
  --help              this text
Durations take ns, us, ms, s or m. Exit status: 0 done, 1 run failed, 2 bad options.
)";

struct Options {
  std::string function = "echo";
  LoadSpec spec{.rate = 10000,
                .duration = std::chrono::seconds(1),
                .warmup = std::chrono::milliseconds(100),
                .progress = true};
  bool duration_given = false;
  std::uint32_t workers = 2;
  std::chrono::nanoseconds idle_spin = EngineConfig{}.idle_spin;
  std::string payload = R"({"symbol":"ACME","qty":100,"side":"buy","px":101.25})";
  std::chrono::nanoseconds spin = std::chrono::microseconds(1);
  double fail_rate = 0.1;
  std::string format = "text";
  std::string out;
};

std::optional<double> parse_double(std::string_view s) {
  double scale = 1;
  if (!s.empty() && (s.back() == 'k' || s.back() == 'K')) scale = 1e3;
  if (!s.empty() && s.back() == 'M') scale = 1e6;
  if (scale != 1) s.remove_suffix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v * scale;
}

template <class Int>
std::optional<Int> parse_integer(std::string_view s) {
  Int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view s) {
  struct Unit {
    std::string_view suffix;
    double ns;
  };
  // Longest suffixes first, so that "ms" is not read as "s".
  constexpr Unit units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}};
  for (const auto& unit : units) {
    if (s.size() > unit.suffix.size() && s.ends_with(unit.suffix)) {
      auto v = parse_double(s.substr(0, s.size() - unit.suffix.size()));
      if (!v || *v < 0 || *v * unit.ns > 1e18) return std::nullopt;
      return std::chrono::nanoseconds(static_cast<std::int64_t>(*v * unit.ns));
    }
  }
  return std::nullopt;
}

int bad(std::string_view option, std::string_view value, std::string_view expected) {
  std::fprintf(stderr, "nanofaas_load: %.*s %.*s: expected %.*s (see --help)\n",
               static_cast<int>(option.size()), option.data(), static_cast<int>(value.size()),
               value.data(), static_cast<int>(expected.size()), expected.data());
  return 2;
}

// Reads the command line into `o`; returns 0, or the exit status to stop with.
int parse(int argc, char** argv, Options& o) {
  bool count_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--help" || option == "-h") {
      std::fputs(usage.data(), stdout);
      return -1;
    }
    if (option == "--no-progress") {
      o.spec.progress = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "nanofaas_load: %s: unknown option or missing value (see --help)\n",
                   argv[i]);
      return 2;
    }
    const std::string_view value = argv[++i];
    if (option == "--function") {
      o.function = value;
    } else if (option == "--rate") {
      auto v = parse_double(value);
      if (!v || *v < 0) return bad(option, value, "events/s >= 0, e.g. 50000 or 50k");
      o.spec.rate = *v;
    } else if (option == "--concurrency") {
      auto v = parse_integer<std::uint32_t>(value);
      if (!v || *v == 0) return bad(option, value, "a positive integer");
      o.spec.concurrency = *v;
    } else if (option == "--duration" || option == "--warmup" || option == "--spin" ||
               option == "--idle-spin") {
      auto v = parse_duration(value);
      if (!v) return bad(option, value, "a duration such as 250ms or 2s");
      if (option == "--duration") {
        o.spec.duration = *v;
        o.duration_given = true;
      } else if (option == "--warmup") {
        o.spec.warmup = *v;
      } else if (option == "--idle-spin") {
        o.idle_spin = *v;
      } else {
        o.spin = *v;
      }
    } else if (option == "--count") {
      auto v = parse_integer<std::uint64_t>(value);
      if (!v || *v == 0) return bad(option, value, "a positive integer");
      o.spec.count = *v;
      count_given = true;
    } else if (option == "--mode") {
      if (value != "async" && value != "sync") return bad(option, value, "async or sync");
      o.spec.mode = value == "sync" ? InvocationMode::sync : InvocationMode::async;
    } else if (option == "--workers") {
      auto v = parse_integer<std::uint32_t>(value);
      if (!v || *v == 0 || *v > 256) return bad(option, value, "an integer in 1..256");
      o.workers = *v;
    } else if (option == "--payload") {
      o.payload = value;
    } else if (option == "--fail-rate") {
      auto v = parse_double(value);
      if (!v || *v < 0 || *v > 1) return bad(option, value, "a fraction in 0..1");
      o.fail_rate = *v;
    } else if (option == "--format") {
      if (value != "text" && value != "csv" && value != "json") {
        return bad(option, value, "text, csv or json");
      }
      o.format = value;
    } else if (option == "--out") {
      o.out = value;
    } else {
      std::fprintf(stderr, "nanofaas_load: %s: unknown option (see --help)\n", argv[i - 1]);
      return 2;
    }
  }
  if (o.function != "echo" && o.function != "parse" && o.function != "spin" &&
      o.function != "fail") {
    return bad("--function", o.function, "echo, parse, spin or fail");
  }
  if (count_given && !o.duration_given) o.spec.duration = {};
  if (auto valid = o.spec.validate(); !valid) {
    std::fprintf(stderr, "nanofaas_load: %s\n", valid.error().message.c_str());
    return 2;
  }
  return 0;
}

Response busy_for(std::chrono::nanoseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
  return Response{};
}

// `parse`: counts the top-level fields of a JSON object with simdjson, in place.
Response count_fields(const Event& event, Context& ctx) {
  auto doc = parse_json(event, ctx);
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return Response::error("InvalidJson", "the payload is not a JSON object");
  }
  std::size_t fields = 0;
  for (auto field : object) {
    if (field.error() != simdjson::SUCCESS) return Response::error("InvalidJson", "bad field");
    ++fields;
  }
  return Response::ok(std::to_string(fields));
}

// Registers the example functions; async errors are final (no retries) so that a failing
// event completes at once and is counted.
bool add_functions(Engine& engine, const Options& o, std::atomic<std::uint64_t>& calls) {
  auto config = [](const char* name) {
    FunctionConfig c{.name = name};
    c.async.maximum_retry_attempts = 0;
    return c;
  };
  const auto spin = o.spin;
  const double fail_rate = o.fail_rate;
  return engine.add_function(config("echo"),
                             [](const Event& event) { return Response::ok(event.body()); }) &&
         engine.add_function(config("parse"), count_fields) &&
         engine.add_function(config("spin"), [spin](const Event&) { return busy_for(spin); }) &&
         engine.add_function(config("fail"), [fail_rate, &calls](const Event&) {
           // Call n fails when n * rate crosses an integer: exactly that fraction, spread out.
           const auto n = static_cast<double>(calls.fetch_add(1, std::memory_order_relaxed));
           if (static_cast<std::uint64_t>((n + 1) * fail_rate) >
               static_cast<std::uint64_t>(n * fail_rate)) {
             return Response::error("Injected", "failed on purpose");
           }
           return Response{};
         });
}

std::string text_report(const Options& o, const LoadReport& report) {
  char line[256];
  const char* mode = o.spec.mode == InvocationMode::sync ? "sync" : "async";
  if (o.spec.rate > 0) {
    std::snprintf(line, sizeof line, "%s: open loop at %.0f/s, %s, %u workers\n",
                  o.function.c_str(), o.spec.rate, mode, o.workers);
  } else {
    std::snprintf(line, sizeof line, "%s: closed loop with %u in flight, %s, %u workers\n",
                  o.function.c_str(), o.spec.concurrency, mode, o.workers);
  }
  std::string text = line;
  text += report.to_text();
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (int status = parse(argc, argv, o); status != 0) return status < 0 ? 0 : status;

  FILE* out = o.out.empty() ? stdout : std::fopen(o.out.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "nanofaas_load: --out %s: %s\n", o.out.c_str(), std::strerror(errno));
    return 2;
  }
  auto engine = Engine::create({.workers = o.workers, .idle_spin = o.idle_spin});
  if (!engine) {
    std::fprintf(stderr, "nanofaas_load: engine: %s\n", engine.error().message.c_str());
    return 1;
  }
  std::atomic<std::uint64_t> calls{0};
  if (!add_functions(*engine, o, calls)) {
    std::fprintf(stderr, "nanofaas_load: could not register the example functions\n");
    return 1;
  }
  auto report = run_load(*engine, o.function, o.payload, o.spec);
  if (!report) {
    std::fprintf(stderr, "nanofaas_load: %s: %s\n",
                 std::string(lambda_name(report.error().code)).c_str(),
                 report.error().message.c_str());
    return 1;
  }
  std::string text = o.format == "csv"    ? report->to_csv()
                     : o.format == "json" ? report->to_json() + "\n"
                                          : text_report(o, *report);
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if ((out != stdout ? std::fclose(out) : std::fflush(out)) != 0 || !written) {
    std::fprintf(stderr, "nanofaas_load: could not write the report\n");
    return 1;
  }
  return 0;
}
