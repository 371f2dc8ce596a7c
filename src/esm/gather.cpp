// Gathering a batch: a poller polls its lane until the batch size, the batching window, the
// payload limit or a stop, sleeps while the source is empty, and drops what the filter rejects.

#include <boost/fiber/context.hpp>

#include <algorithm>
#include <chrono>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "esm/mapping.hpp"
#include "esm/poller_set.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Lambda's invocation payload limit, which also bounds a batch.
constexpr std::size_t max_batch_bytes = 6 * 1024 * 1024;
/// A poller with nothing to do looks again after this, doubling up to `max_idle_poll`: queue
/// messages become visible again and manual clocks move without a wake-up.
constexpr std::chrono::nanoseconds min_idle_poll = 1ms;
constexpr std::chrono::nanoseconds max_idle_poll = 64ms;

// A message received again while its batch gathers (its visibility timeout ended inside the
// batching window) keeps only its newest receive: a batch never holds a message twice. The
// stale receives from before `first` are handed back; returns how many bytes they held.
std::size_t drop_stale_receives(SourceReader& reader, std::vector<Record>& out, std::size_t first) {
  if (first == 0 || first == out.size()) return 0;
  std::unordered_set<std::string_view> fresh;
  for (std::size_t i = first; i < out.size(); ++i) fresh.insert(out[i].id);
  std::vector<Record> stale;
  std::size_t bytes = 0;
  const auto kept = std::remove_if(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(first),
                                   [&](const Record& r) {
                                     if (!fresh.contains(r.id)) return false;
                                     stale.push_back(r);
                                     bytes += r.body.size();
                                     return true;
                                   });
  if (stale.empty()) return 0;
  out.erase(kept, out.begin() + static_cast<std::ptrdiff_t>(first));
  reader.release(stale);
  return bytes;
}

}  // namespace

void Mapping::sleep(Poller& poller, Clock::time_point until, std::chrono::nanoseconds& idle) {
  auto wake = steady::now() + idle;
  idle = std::min(idle * 2, max_idle_poll);
  if (until != Clock::time_point::max()) {
    const auto remaining = until - host_->clock().now();
    wake = std::min(wake, steady::now() + (host_->clock_is_steady() ? remaining : min_idle_poll));
  }
  poller.mailbox.fiber = boost::fibers::context::active();
  poller.mailbox.waiting = true;
  poller.mailbox.fiber->wait_until(wake);
  poller.mailbox.waiting = false;
}

void Mapping::gather(Poller& poller, std::vector<Record>& out, std::size_t max,
                     Clock::time_point idle_until) {
  const Clock& clock = host_->clock();
  std::chrono::nanoseconds idle = min_idle_poll;
  auto window_end = Clock::time_point::max();
  std::size_t bytes = 0;
  const auto take = [&] {
    const std::size_t first = out.size();
    reader_->poll(poller.lane, max - out.size(), out);
    std::size_t keep = out.size();
    for (std::size_t i = first; i < out.size(); ++i) {
      if (bytes + out[i].body.size() > max_batch_bytes && i > 0) {
        keep = i;
        break;
      }
      bytes += out[i].body.size();
    }
    if (keep < out.size()) {
      // Past the payload limit: these go back for the next batch.
      reader_->nack(std::span<const Record>(out).subspan(keep), 0ns);
      out.resize(keep);
      max = keep;  // the batch is full
    }
    counters_.records_polled.fetch_add(out.size() - first, std::memory_order_relaxed);
    const bool got = out.size() > first;
    if (kind_ != SourceKind::stream) bytes -= drop_stale_receives(*reader_, out, first);
    return got;
  };
  for (;;) {
    // Read before the poll: a batch's window starts when its first record was received, never
    // later (a clock that moves meanwhile would stretch it).
    const auto now = clock.now();
    take();
    if (out.size() >= max || stopping_.load(std::memory_order_acquire)) return;
    Clock::time_point until = idle_until;
    if (!out.empty()) {
      if (config_.maximum_batching_window == 0ns) return;
      if (window_end == Clock::time_point::max())
        window_end = now + config_.maximum_batching_window;
      until = window_end;
    }
    if (now >= until) return;
    // Announce the sleep, then look once more, so that records added in between either show
    // up here or make the listener post a wake-up.
    poller.asleep.store(true, std::memory_order_relaxed);
    pollers_->sleepers.fetch_add(1, std::memory_order_seq_cst);
    const bool got = take();
    if (!got && out.size() < max) sleep(poller, until, idle);
    if (poller.asleep.exchange(false, std::memory_order_acq_rel)) {
      pollers_->sleepers.fetch_sub(1, std::memory_order_relaxed);
    }
    if (got) idle = min_idle_poll;
  }
}

void Mapping::drop_filtered(std::vector<Record>& records) {
  if (config_.filter_criteria.empty()) return;
  std::size_t kept = 0;
  std::vector<Record> dropped;
  for (Record& r : records) {
    const auto body = r.body.view();
    const std::size_t capacity = body.size() + (r.body.padded() ? payload_padding : 0);
    if (config_.filter_criteria.matches(body, capacity)) {
      records[kept++] = r;
    } else {
      dropped.push_back(r);
    }
  }
  if (dropped.empty()) return;
  records.resize(kept);
  counters_.records_filtered.fetch_add(dropped.size(), std::memory_order_relaxed);
  if (kind_ != SourceKind::stream) reader_->ack(dropped);
}

}  // namespace nanofaas::detail
