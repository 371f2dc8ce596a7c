#include "load/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace nanofaas::detail {

namespace {

constexpr std::int64_t redraw_ns = 100'000'000;
constexpr int bar_width = 30;

}  // namespace

ProgressBar::ProgressBar(const LoadSpec& spec, std::int64_t record_from_ns)
    : enabled_(spec.progress && isatty(STDERR_FILENO) == 1),
      record_from_ns_(record_from_ns),
      duration_ns_(spec.duration.count()),
      count_(spec.count) {}

void ProgressBar::draw(std::int64_t now_ns, std::uint64_t measured_sent, bool last) {
  next_draw_ns_ = now_ns + redraw_ns;
  if (now_ns < record_from_ns_ && !last) {
    std::fprintf(stderr, "\r  warming up, %.1f s left\033[K",
                 static_cast<double>(record_from_ns_ - now_ns) / 1e9);
    std::fflush(stderr);
    return;
  }
  const double seconds =
      static_cast<double>(std::max<std::int64_t>(now_ns - record_from_ns_, 1)) / 1e9;
  double fraction = count_ > 0 ? static_cast<double>(measured_sent) / static_cast<double>(count_)
                               : seconds * 1e9 / static_cast<double>(duration_ns_);
  fraction = last ? 1.0 : std::clamp(fraction, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * bar_width);
  char bar[bar_width + 1];
  for (int i = 0; i < bar_width; ++i) bar[i] = i < filled ? '#' : '.';
  bar[bar_width] = '\0';
  std::fprintf(stderr, "\r  [%s] %3d%%  %llu sent  %.0f/s\033[K%s", bar,
               static_cast<int>(fraction * 100), static_cast<unsigned long long>(measured_sent),
               static_cast<double>(measured_sent) / seconds, last ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace nanofaas::detail
