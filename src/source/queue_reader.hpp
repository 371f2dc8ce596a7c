#pragma once

#include <memory>

#include "nanofaas/source.hpp"

namespace nanofaas::detail {

struct QueueState;

/// A reader of a queue: one lane, competing with the queue's other readers.
class QueueReader final : public SourceReader {
 public:
  explicit QueueReader(std::shared_ptr<QueueState> state) noexcept;
  ~QueueReader() override;

  std::uint32_t lanes() const noexcept override { return 1; }
  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override;
  void ack(std::span<const Record> records) override;
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) override;
  void release(std::span<const Record> records) override;
  void checkpoint(std::uint32_t, std::uint64_t) override {}
  void extend_visibility(std::span<const Record> records,
                         std::chrono::nanoseconds timeout) override;
  void set_listener(std::function<void()> wake) override;

 private:
  std::shared_ptr<QueueState> state_;
};

}  // namespace nanofaas::detail
