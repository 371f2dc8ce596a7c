#pragma once

#include <memory>

#include "nanofaas/source.hpp"
#include "source/stream_shard.hpp"

namespace nanofaas::detail {

struct StreamState;

/// A reader of a stream: one lane per shard, each with its own position and checkpoint.
class StreamReader final : public SourceReader {
 public:
  StreamReader(std::shared_ptr<StreamState> state, const ReaderOptions& options);
  ~StreamReader() override;

  std::uint32_t lanes() const noexcept override;
  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override;
  void ack(std::span<const Record>) override {}
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) override;
  void checkpoint(std::uint32_t lane, std::uint64_t sequence_number) override;
  void extend_visibility(std::span<const Record>, std::chrono::nanoseconds) override {}
  void set_listener(std::function<void()> wake) override;

 private:
  std::shared_ptr<StreamState> state_;
  std::unique_ptr<StreamCursor[]> cursors_;  // one per shard
};

}  // namespace nanofaas::detail
