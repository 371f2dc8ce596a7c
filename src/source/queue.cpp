#include "nanofaas/queue.hpp"

#include <utility>

#include "source/queue_reader.hpp"
#include "source/queue_state.hpp"
#include "source/validation.hpp"

namespace nanofaas {
namespace {

constexpr std::uint32_t max_max_receive_count = 1000;
constexpr std::size_t max_name = 80;

bool valid_queue_name(std::string_view name, bool fifo) {
  if (name.size() > max_name) return false;
  if (fifo) {
    constexpr std::string_view suffix = ".fifo";
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) return false;
    name.remove_suffix(suffix.size());
  }
  return detail::valid_name(name, max_name);
}

}  // namespace

Queue::Queue(std::shared_ptr<detail::QueueState> state) noexcept : state_(std::move(state)) {}

Queue::~Queue() = default;

Expected<std::shared_ptr<Queue>> Queue::create(QueueConfig config) {
  using detail::invalid;
  if (!valid_queue_name(config.name, config.fifo)) {
    return invalid(config.fifo
                       ? "queue name must be 1-80 characters of [A-Za-z0-9_-] ending in .fifo"
                       : "queue name must be 1-80 characters of [A-Za-z0-9_-]");
  }
  if (config.visibility_timeout.count() < 0 ||
      config.visibility_timeout > queue_max_visibility_timeout) {
    return invalid("visibility_timeout must be between 0 and 12 hours");
  }
  if (config.content_based_deduplication && !config.fifo) {
    return invalid("content_based_deduplication is only for FIFO queues");
  }
  if (config.max_receive_count > max_max_receive_count) {
    return invalid("max_receive_count must be between 1 and 1000 (0: no redrive)");
  }
  if ((config.max_receive_count > 0) != (config.dead_letter_queue != nullptr)) {
    return invalid(
        "a redrive policy needs both max_receive_count and dead_letter_queue, or neither");
  }
  if (config.dead_letter_queue && config.dead_letter_queue->fifo() != config.fifo) {
    return invalid(
        "the dead-letter queue of a FIFO queue must be FIFO, and of a standard "
        "queue standard");
  }
  if (config.max_messages == 0 || config.max_messages > detail::SlotArena::max_size) {
    return invalid("max_messages must be between 1 and 2^31");
  }
  if (config.clock == nullptr) return invalid("clock must not be null");
  std::shared_ptr<detail::QueueState> dead_letters;
  if (config.dead_letter_queue) dead_letters = config.dead_letter_queue->state_;
  return std::shared_ptr<Queue>(
      new Queue(std::make_shared<detail::QueueState>(std::move(config), std::move(dead_letters))));
}

Expected<std::string> Queue::send(Payload body, SendOptions options) {
  return state_->send(std::move(body), std::move(options));
}

Expected<std::string> Queue::send(PayloadView body, SendOptions options) {
  if (body.size() > queue_max_message_size) {
    return Unexpected(Error{Errc::request_too_large, "message larger than 6 MiB"});
  }
  return send(Payload::copy_of(body.view()), std::move(options));
}

std::size_t Queue::send_batch(std::span<Payload> bodies, std::string_view message_group_id) {
  return state_->send_batch(bodies, message_group_id);
}

std::size_t Queue::approximate_visible() const {
  return state_->approximate_visible();
}

std::size_t Queue::approximate_in_flight() const {
  return state_->approximate_in_flight();
}

std::size_t Queue::approximate_delayed() const {
  return state_->approximate_delayed();
}

bool Queue::fifo() const noexcept {
  return state_->config().fifo;
}

SourceKind Queue::kind() const noexcept {
  return state_->config().fifo ? SourceKind::fifo_queue : SourceKind::queue;
}

std::string_view Queue::name() const noexcept {
  return state_->config().name;
}

std::optional<std::chrono::nanoseconds> Queue::visibility_timeout() const noexcept {
  return state_->config().visibility_timeout;
}

Expected<std::unique_ptr<SourceReader>> Queue::open(ReaderOptions) {
  return std::unique_ptr<SourceReader>(std::make_unique<detail::QueueReader>(state_));
}

}  // namespace nanofaas
