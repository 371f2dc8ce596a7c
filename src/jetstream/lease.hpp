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

/// The bucket: its TTL is every lease's duration, and a quarter of it the longest a lease
/// request waits for its answer.
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
  [[nodiscard]] bool connected() const noexcept;

  LeaseBucket(std::shared_ptr<NatsConnection> connection, JsCtxPtr js, KvStorePtr kv,
              std::chrono::nanoseconds ttl) noexcept;

 private:
  std::shared_ptr<NatsConnection> connection_;  // outlives the context and the store
  JsCtxPtr js_;                                 // its requests wait a quarter of the TTL
  KvStorePtr kv_;
  std::chrono::nanoseconds ttl_;
};

/// What a refresh found: the key not ours, ours without a break since the last refresh, or
/// taken anew (another owner may have held it in between).
enum class LeaseRefresh : std::uint8_t { lost, kept, taken };

/// One key of the bucket as one owner sees it. Not thread-safe (one thread refreshes it).
class Lease {
 public:
  Lease(std::shared_ptr<LeaseBucket> bucket, std::string key, std::string owner) noexcept;
  /// Takes the key if it is free, or renews it if held; `lost` when another owner holds it or
  /// the server cannot be reached (a held lease then counts as lost: another may take it).
  LeaseRefresh refresh();
  /// Frees the key (only if still ours: a conditional write of an empty value); false when
  /// the server did not answer (the key then runs out by its TTL).
  bool release();
  [[nodiscard]] bool held() const noexcept { return revision_ != 0; }
  /// How long it lasts unrenewed: the bucket's TTL.
  [[nodiscard]] std::chrono::nanoseconds duration() const noexcept { return bucket_->ttl(); }

 private:
  natsStatus renew(std::uint64_t last);  // writes the owner's name over revision `last`

  std::shared_ptr<LeaseBucket> bucket_;
  std::string key_;
  std::string owner_;
  std::uint64_t revision_ = 0;  // ours while held
};

}  // namespace nanofaas::detail
