#include "jetstream/lease.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "jetstream/nats_status.hpp"

namespace nanofaas::detail {

Expected<std::shared_ptr<LeaseBucket>> LeaseBucket::open(std::shared_ptr<NatsConnection> connection,
                                                         const std::string& name,
                                                         std::chrono::milliseconds ttl,
                                                         int replicas, bool create) {
  const auto patience = connection->options().retry_for;
  KvStorePtr kv;
  jsErrCode js_error{};
  natsStatus s = retry_transient(patience, js_error, [&](jsErrCode&) {
    kvStore* raw = nullptr;
    const natsStatus r = js_KeyValue(&raw, connection->js(), name.c_str());
    kv.reset(raw);
    return r;
  });
  if (s == NATS_NOT_FOUND && create) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = name.c_str();
    config.History = 1;
    config.TTL = std::chrono::nanoseconds(ttl).count();  // the stream's MaxAge: nanoseconds
    config.Replicas = replicas;
    config.StorageType = js_FileStorage;
    s = retry_transient(patience, js_error, [&](jsErrCode&) {
      kvStore* raw = nullptr;
      const natsStatus r = js_CreateKeyValue(&raw, connection->js(), &config);
      kv.reset(raw);
      return r;
    });
  }
  if (s != NATS_OK) return Unexpected(nats_error("lease bucket " + name, s));
  kvStatus* status = nullptr;
  if (s = kvStore_Status(&status, kv.get()); s != NATS_OK) {
    return Unexpected(nats_error("lease bucket " + name, s));
  }
  const std::chrono::nanoseconds bucket_ttl(kvStatus_TTL(status));
  kvStatus_Destroy(status);
  if (bucket_ttl.count() <= 0) {
    return Unexpected(Error{Errc::invalid_argument,
                            "JetStream: lease bucket " + name + " has no TTL: leases never end"});
  }
  // The leases' own context: a lease request waits a quarter of the TTL at most, as a later
  // answer is of no use (and a reader closing during an outage does not wait long).
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = std::clamp<std::int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(bucket_ttl / 4).count(), 1,
      connection->options().request_timeout.count());
  jsCtx* raw_js = nullptr;
  if (s = natsConnection_JetStream(&raw_js, connection->nc(), &jo); s != NATS_OK) {
    return Unexpected(nats_error("opening a JetStream context", s));
  }
  JsCtxPtr quick(raw_js);
  s = retry_transient(patience, js_error, [&](jsErrCode&) {
    kvStore* raw = nullptr;
    const natsStatus r = js_KeyValue(&raw, quick.get(), name.c_str());
    kv.reset(raw);
    return r;
  });
  if (s != NATS_OK) return Unexpected(nats_error("lease bucket " + name, s));
  return std::make_shared<LeaseBucket>(std::move(connection), std::move(quick), std::move(kv),
                                       bucket_ttl);
}

bool LeaseBucket::connected() const noexcept {
  return connection_->connected();
}

LeaseBucket::LeaseBucket(std::shared_ptr<NatsConnection> connection, JsCtxPtr js, KvStorePtr kv,
                         std::chrono::nanoseconds ttl) noexcept
    : connection_(std::move(connection)), js_(std::move(js)), kv_(std::move(kv)), ttl_(ttl) {}

Lease::Lease(std::shared_ptr<LeaseBucket> bucket, std::string key, std::string owner) noexcept
    : bucket_(std::move(bucket)), key_(std::move(key)), owner_(std::move(owner)) {}

natsStatus Lease::renew(std::uint64_t last) {
  std::uint64_t revision = 0;
  const natsStatus s = kvStore_Update(&revision, bucket_->kv(), key_.c_str(), owner_.data(),
                                      static_cast<int>(owner_.size()), last);
  if (s == NATS_OK) revision_ = revision;
  return s;
}

LeaseRefresh Lease::refresh() {
  // Disconnected, a request would wait its whole timeout (and hold up a closing reader); a
  // request unanswered, the next would be too.
  if (!bucket_->connected()) {
    revision_ = 0;
    return LeaseRefresh::lost;
  }
  if (held()) {
    const natsStatus s = renew(revision_);
    if (s == NATS_OK) return LeaseRefresh::kept;
    revision_ = 0;  // expired and maybe taken: stop reading now
    if (transient(s, jsErrCode{})) return LeaseRefresh::lost;
  }
  // No entry (never held, or dropped by the TTL) or a deleted one: created as ours.
  std::uint64_t revision = 0;
  const natsStatus s = kvStore_Create(&revision, bucket_->kv(), key_.c_str(), owner_.data(),
                                      static_cast<int>(owner_.size()));
  if (s == NATS_OK) {
    revision_ = revision;
    return LeaseRefresh::taken;
  }
  if (transient(s, jsErrCode{})) return LeaseRefresh::lost;
  // An entry: free if released (empty), ours if a renewal reached the server but its answer
  // did not come back (nobody else wrote in between: the lease stands), else another owner's.
  kvEntry* raw = nullptr;
  if (kvStore_Get(&raw, bucket_->kv(), key_.c_str()) != NATS_OK) return LeaseRefresh::lost;
  const KvEntryPtr entry(raw);
  const std::string_view value(static_cast<const char*>(kvEntry_Value(entry.get())),
                               static_cast<std::size_t>(kvEntry_ValueLen(entry.get())));
  if (value != owner_ && !value.empty()) return LeaseRefresh::lost;
  if (renew(kvEntry_Revision(entry.get())) != NATS_OK) return LeaseRefresh::lost;
  return value.empty() ? LeaseRefresh::taken : LeaseRefresh::kept;
}

bool Lease::release() {
  if (!held()) return true;
  std::uint64_t revision = 0;
  const natsStatus s = kvStore_Update(&revision, bucket_->kv(), key_.c_str(), "", 0, revision_);
  revision_ = 0;
  return !transient(s, jsErrCode{});
}

}  // namespace nanofaas::detail
