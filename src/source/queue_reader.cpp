#include "source/queue_reader.hpp"

#include <utility>

#include "source/queue_state.hpp"

namespace nanofaas::detail {

QueueReader::QueueReader(std::shared_ptr<QueueState> state) noexcept : state_(std::move(state)) {}

QueueReader::~QueueReader() {
  state_->set_listener(this, {});
}

std::size_t QueueReader::poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) {
  return lane == 0 ? state_->poll(max, out) : 0;
}

void QueueReader::ack(std::span<const Record> records) {
  state_->ack(records);
}

void QueueReader::nack(std::span<const Record> records, std::chrono::nanoseconds delay) {
  state_->nack(records, delay);
}

void QueueReader::release(std::span<const Record> records) {
  state_->release(records);
}

void QueueReader::extend_visibility(std::span<const Record> records,
                                    std::chrono::nanoseconds timeout) {
  state_->extend_visibility(records, timeout);
}

void QueueReader::set_listener(std::function<void()> wake) {
  state_->set_listener(this, std::move(wake));
}

}  // namespace nanofaas::detail
