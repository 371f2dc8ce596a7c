#pragma once

// Owning handles over the NATS C client's objects: each destroys its object once, so no
// error path leaks a message, a subscription or a connection.

#include <nats/nats.h>

#include <memory>

namespace nanofaas::detail {

/// Calls the C client's destroy function for T.
template <class T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* p) const noexcept { Destroy(p); }
};

using NatsOptionsPtr = std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
/// Destroying a connection closes it first.
using NatsConnectionPtr =
    std::unique_ptr<natsConnection, NatsDeleter<natsConnection, natsConnection_Destroy>>;
using JsCtxPtr = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
/// Destroying a subscription bound to an existing consumer leaves the consumer on the server.
using NatsSubscriptionPtr =
    std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using NatsMsgPtr = std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using JsStreamInfoPtr =
    std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using JsConsumerInfoPtr =
    std::unique_ptr<jsConsumerInfo, NatsDeleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using JsPubAckPtr = std::unique_ptr<jsPubAck, NatsDeleter<jsPubAck, jsPubAck_Destroy>>;
using JsMetaDataPtr =
    std::unique_ptr<jsMsgMetaData, NatsDeleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;
using KvStorePtr = std::unique_ptr<kvStore, NatsDeleter<kvStore, kvStore_Destroy>>;
using KvEntryPtr = std::unique_ptr<kvEntry, NatsDeleter<kvEntry, kvEntry_Destroy>>;

/// A fetched batch: destroys the messages still in it (taken ones are set to null) and the
/// array. The C struct lives inside, zeroed until a fetch fills it.
class NatsMsgList {
 public:
  NatsMsgList() noexcept = default;
  NatsMsgList(const NatsMsgList&) = delete;
  NatsMsgList& operator=(const NatsMsgList&) = delete;
  ~NatsMsgList() { natsMsgList_Destroy(&list_); }

  natsMsgList* get() noexcept { return &list_; }
  [[nodiscard]] int size() const noexcept { return list_.Count; }
  /// Takes message `i` out of the list.
  NatsMsgPtr take(int i) noexcept {
    NatsMsgPtr msg(list_.Msgs[i]);
    list_.Msgs[i] = nullptr;
    return msg;
  }

 private:
  natsMsgList list_{};
};

}  // namespace nanofaas::detail
