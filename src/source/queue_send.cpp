#include "source/queue_state.hpp"

#include <algorithm>
#include <new>

#include "runtime/chain_depth.hpp"
#include "source/validation.hpp"

namespace nanofaas::detail {
namespace {

constexpr std::size_t max_group_id = 128;
constexpr std::size_t max_deduplication_id = 128;

// SQS: alphanumeric characters and punctuation.
bool valid_deduplication_id(std::string_view id) noexcept {
  return id.size() <= max_deduplication_id &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '!' && c <= '~'; });
}

}  // namespace

// Adds a message under the lock; returns its slot. `id` empty: a new one.
std::uint32_t QueueState::insert(Payload&& body,
                                 std::unique_ptr<std::vector<RecordAttribute>> attributes,
                                 std::string_view group_id, std::string_view id,
                                 Clock::time_point arrival, std::chrono::nanoseconds delay,
                                 std::uint32_t chain_depth, const TraceContext& trace,
                                 bool& visible_now) {
  const std::uint32_t i = slots_.allocate();
  QueueSlot& s = slots_[i];
  new (&s.body) Payload(std::move(body));
  s.born = s.generation;
  s.attributes = std::move(attributes);
  s.arrival = arrival;
  s.sequence = next_sequence_++;
  s.receive_count = 0;
  s.chain_depth = chain_depth;
  s.trace = trace;
  if (id.empty()) {
    s.id_size = next_id_.copy_to(s.id);
    next_id_.advance();
  } else {
    const std::size_t n = std::min(id.size(), queue_id_capacity);
    std::copy_n(id.data(), n, s.id);
    s.id_size = static_cast<std::uint8_t>(n);
  }
  if (config_.fifo) {
    s.group = groups_.find_or_add(group_id);
    groups_.push_back(slots_, s.group, i);
  }
  if (delay.count() > 0) {
    s.state = SlotState::delayed;
    ++delayed_;
    deadlines_.arm(slots_, i, arrival + delay, false);
    visible_now = false;
    return i;
  }
  s.state = SlotState::visible;
  ++visible_;
  if (config_.fifo) {
    visible_now = groups_.update(s.group, slots_);
  } else {
    visible_list_.push_back(slots_, i);
    visible_now = true;
  }
  return i;
}

Expected<std::string> QueueState::send(Payload&& body, SendOptions&& options) {
  std::string deduplication_key;
  if (config_.fifo) {
    if (options.message_group_id.empty() || options.message_group_id.size() > max_group_id) {
      return invalid("a FIFO queue needs a message_group_id of 1-128 bytes");
    }
    if (!valid_deduplication_id(options.message_deduplication_id)) {
      return invalid("message_deduplication_id must be 1-128 printable ASCII characters");
    }
    deduplication_key =
        !options.message_deduplication_id.empty() ? std::string(options.message_deduplication_id)
        : config_.content_based_deduplication     ? content_deduplication_id(body.view())
                                                  : std::string();
  } else {
    if (!options.message_deduplication_id.empty()) {
      return invalid("message_deduplication_id is only for FIFO queues");
    }
    options.message_group_id = {};
  }
  if (options.delay.count() < 0 || options.delay > queue_max_delay) {
    return invalid("delay must be between 0 and 15 minutes");
  }
  std::size_t size = body.size();
  for (const RecordAttribute& a : options.attributes) size += a.name.size() + a.value.size();
  if (size > queue_max_message_size) {
    return Unexpected(Error{Errc::request_too_large, "message larger than 6 MiB"});
  }
  std::unique_ptr<std::vector<RecordAttribute>> attributes;
  if (!options.attributes.empty()) {
    attributes = std::make_unique<std::vector<RecordAttribute>>(std::move(options.attributes));
  }
  const Clock::time_point now = config_.clock->now();
  // The sender's place in a chain of invocations, and its trace unless the options name one.
  const ChainSlot chain = current_chain();
  const TraceContext trace = options.trace.valid()    ? options.trace
                             : chain.trace != nullptr ? *chain.trace
                                                      : TraceContext{};
  std::shared_ptr<const Listeners> to_wake;
  std::string id;
  {
    Guard guard(*this);
    if (!deduplication_key.empty()) {
      if (const std::string* first = deduplication_.find(deduplication_key, now)) return *first;
      if (deduplication_full()) {
        return Unexpected(Error{Errc::resource_exhausted,
                                "queue " + config_.name + " holds its most deduplication ids"});
      }
    }
    if (full()) {
      return Unexpected(Error{Errc::resource_exhausted, "queue " + config_.name + " is full"});
    }
    bool visible_now = false;
    const std::uint32_t i = insert(std::move(body), std::move(attributes), options.message_group_id,
                                   {}, now, options.delay, chain.depth, trace, visible_now);
    const QueueSlot& s = slots_[i];
    id.assign(s.id, s.id_size);
    if (!deduplication_key.empty()) deduplication_.add(deduplication_key, id, now);
    if (visible_now) to_wake = listeners_;
  }
  wake(to_wake);
  return id;
}

std::size_t QueueState::send_batch(std::span<Payload> bodies, std::string_view group_id) {
  if (config_.fifo) {
    if (group_id.empty() || group_id.size() > max_group_id) return 0;
  } else {
    group_id = {};
  }
  if (bodies.empty()) return 0;
  // Hashed before the lock is taken.
  std::vector<std::string> keys;
  if (config_.content_based_deduplication) {
    keys.reserve(bodies.size());
    for (const Payload& body : bodies) keys.push_back(content_deduplication_id(body.view()));
  }
  const Clock::time_point now = config_.clock->now();
  const ChainSlot chain = current_chain();
  const TraceContext trace = chain.trace != nullptr ? *chain.trace : TraceContext{};
  std::shared_ptr<const Listeners> to_wake;
  std::size_t sent = 0;
  {
    Guard guard(*this);
    bool woke = false;
    for (Payload& body : bodies) {
      if (!keys.empty()) {
        if (deduplication_.find(keys[sent], now) != nullptr) {
          ++sent;  // accepted, not delivered again
          continue;
        }
        if (deduplication_full()) break;
      }
      if (full() || body.size() > queue_max_message_size) break;
      bool visible_now = false;
      const std::uint32_t i = insert(std::move(body), {}, group_id, {}, now,
                                     std::chrono::nanoseconds{0}, chain.depth, trace, visible_now);
      if (!keys.empty()) {
        deduplication_.add(keys[sent], std::string_view(slots_[i].id, slots_[i].id_size), now);
      }
      woke |= visible_now;
      ++sent;
    }
    if (woke) to_wake = listeners_;
  }
  wake(to_wake);
  return sent;
}

bool QueueState::accept_redrive(Payload& body,
                                std::unique_ptr<std::vector<RecordAttribute>>& attributes,
                                const QueueSlot& from, const std::string* group_name) {
  std::shared_ptr<const Listeners> to_wake;
  {
    Guard guard(*this);
    if (full()) return false;
    bool visible_now = false;
    insert(std::move(body), std::move(attributes),
           group_name != nullptr ? std::string_view(*group_name) : std::string_view{},
           std::string_view(from.id, from.id_size), from.arrival, std::chrono::nanoseconds{0}, 0,
           from.trace, visible_now);  // a dead-letter queue starts a new chain, same trace
    if (visible_now) to_wake = listeners_;
  }
  wake(to_wake);
  return true;
}

}  // namespace nanofaas::detail
