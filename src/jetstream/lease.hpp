#pragma once

// Leases in a JetStream key-value bucket: a key held by one owner at a time, lost when not
// renewed within the bucket's TTL (the server drops the entry), so a dead reader's shards
// pass to another after about that long.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "jetstream/nats_connection.hpp"
#include "jetstream/nats_handles.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// The bucket: its TTL is every lease's duration.
class LeaseBucket {
 public:
  /// Opens `name`, created with `ttl` and `replicas` when missing and `create` (an existing
  /// bucket keeps its own TTL).
  static Expected<std::shared_ptr<LeaseBucket>> open(std::shared_ptr<NatsConnection> connection,
                                                     const std::string& name,
                                                     std::chrono::milliseconds ttl, int replicas,
                                                     bool create);
  [[nodiscard]] kvStore* kv() const noexcept { return kv_.get(); }
  [[nodiscard]] std::chrono::nanoseconds ttl() const noexcept { return ttl_; }

  LeaseBucket(std::shared_ptr<NatsConnection> connection, KvStorePtr kv,
              std::chrono::nanoseconds ttl) noexcept;

 private:
  std::shared_ptr<NatsConnection> connection_;  // outlives the store
  KvStorePtr kv_;
  std::chrono::nanoseconds ttl_;
};

/// One key of the bucket as one owner sees it. Not thread-safe (one thread refreshes it).
class Lease {
 public:
  Lease(std::shared_ptr<LeaseBucket> bucket, std::string key, std::string owner) noexcept;
  /// Takes the key if it is free, or renews it if held; false when another owner holds it or
  /// the server cannot be reached (a held lease then counts as lost: another may take it).
  bool refresh();
  /// Frees the key (only if still ours: a conditional write of an empty value).
  void release();
  [[nodiscard]] bool held() const noexcept { return revision_ != 0; }
  /// How long it lasts unrenewed: the bucket's TTL.
  [[nodiscard]] std::chrono::nanoseconds duration() const noexcept { return bucket_->ttl(); }

 private:
  bool renew(std::uint64_t last);  // writes the owner's name over revision `last`

  std::shared_ptr<LeaseBucket> bucket_;
  std::string key_;
  std::string owner_;
  std::uint64_t revision_ = 0;  // ours while held
};

}  // namespace nanofaas::detail
