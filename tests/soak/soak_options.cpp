#include "soak_options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>
#include <string_view>

namespace soak {
namespace {

constexpr const char* usage =
    "usage: nanofaas_soak DURATION_SECONDS [--seed N] [--events N] [--records N]\n"
    "                     [--functions N] [--queues N] [--warmup-fraction F]\n"
    "                     [--heap-tolerance-mib N] [--rss-tolerance-mib N] [--max-seconds S]\n"
    "Drives asynchronous events and queue records through one engine under chaos, shuts it\n"
    "down at a random moment, and checks that every event and message is accounted for and\n"
    "that memory returns to its idle level. The volume (default: 10,000 events and records a\n"
    "second of DURATION, at least 1,000,000 each) is spread over DURATION seconds; 0: as\n"
    "fast as the engine takes it.\n";

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool parse_fraction(std::string_view text, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(std::string(text), &used);
    return used == text.size() && out >= 0;
  } catch (...) {
    return false;
  }
}

}  // namespace

std::optional<SoakOptions> parse_options(int argc, char** argv) {
  SoakOptions options;
  bool seeded = false;
  bool have_duration = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    const std::string_view value = has_value ? std::string_view(argv[i + 1]) : "";
    bool ok = has_value;
    std::uint64_t mib = 0;
    if (arg == "--seed") {
      ok = ok && parse_number(value, options.seed);
      seeded = true;
    } else if (arg == "--events") {
      ok = ok && parse_number(value, options.events);
    } else if (arg == "--records") {
      ok = ok && parse_number(value, options.records);
    } else if (arg == "--functions") {
      ok = ok && parse_number(value, options.functions) && options.functions >= 10;
    } else if (arg == "--queues") {
      ok = ok && parse_number(value, options.queues) && options.queues >= 1;
    } else if (arg == "--warmup-fraction") {
      ok = ok && parse_fraction(value, options.warmup_fraction);
    } else if (arg == "--heap-tolerance-mib") {
      ok = ok && parse_number(value, mib);
      options.heap_tolerance_bytes = mib << 20;
    } else if (arg == "--rss-tolerance-mib") {
      ok = ok && parse_number(value, mib);
      options.rss_tolerance_bytes = mib << 20;
    } else if (arg == "--max-seconds") {
      ok = ok && parse_fraction(value, options.max_seconds);
    } else if (!have_duration && parse_fraction(arg, options.duration_seconds)) {
      have_duration = true;
      continue;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fputs(usage, stderr);
      return std::nullopt;
    }
    ++i;  // the value
  }
  if (!have_duration) {
    std::fputs(usage, stderr);
    return std::nullopt;
  }
  if (!seeded) options.seed = std::random_device{}();
  const auto by_duration = std::max<std::uint64_t>(
      1'000'000, static_cast<std::uint64_t>(options.duration_seconds * 10'000));
  if (options.events == 0) options.events = by_duration;
  if (options.records == 0) options.records = by_duration;
  if (options.max_seconds == 0) options.max_seconds = 3 * options.duration_seconds + 600;
  return options;
}

}  // namespace soak
