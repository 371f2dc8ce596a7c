#pragma once

// The runner's own raw C client connection for nanofaas_bench_jetstream: publishing a run's
// messages fast (asynchronous publishes), making streams and consumers, deleting streams.

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "jetstream_bench_shared.hpp"

namespace nanofaas::bench::jetstream {

/// The runner's own raw connection: publishing fast (asynchronous publishes) and deleting
/// streams.
class Raw {
 public:
  explicit Raw(const std::string& url) {
    check(natsConnection_ConnectTo(&nc_, url.c_str()), "connect");
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = 4096;
    options.PublishAsync.StallWait = 10000;  // ms a publish waits for room
    options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr*, void* failed) {
      static_cast<std::atomic<int>*>(failed)->fetch_add(1);
    };
    options.PublishAsync.ErrHandlerClosure = &failed_;
    check(natsConnection_JetStream(&js_, nc_, &options), "JetStream context");
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
  }

  /// Publishes `n` messages of `body_bytes` to `subject`; `event`: with the headers of a
  /// stored event (`Nanofaas-Request-Id`, `Nanofaas-Chain-Depth`, `Nanofaas-Enqueued`,
  /// `Nats-Msg-Id`), as `JetStreamEventQueue::store` writes them. Returns once the stream
  /// acknowledged each.
  void publish(const std::string& subject, std::uint64_t n, bool event, std::uint64_t salt) {
    std::string body(body_bytes, 'x');
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::string number = std::to_string(i);
      std::memcpy(body.data(), number.data(), number.size());
      natsMsg* msg = nullptr;
      check(natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(),
                           static_cast<int>(body.size())),
            "message");
      if (event) {
        char id[33];
        std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(salt),
                      static_cast<unsigned long long>(i + 1));
        check(natsMsgHeader_Set(msg, "Nanofaas-Request-Id", id), "header");
        check(natsMsgHeader_Set(msg, "Nanofaas-Chain-Depth", "1"), "header");
        const std::string enqueued =
            std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
        check(natsMsgHeader_Set(msg, "Nanofaas-Enqueued", enqueued.c_str()), "header");
        check(natsMsgHeader_Set(msg, "Nats-Msg-Id", id), "header");
      }
      check(js_PublishMsgAsync(js_, &msg, nullptr), "publish");
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = 60000;
    check(js_PublishAsyncComplete(js_, &options), "publish complete");
    if (failed_.load() != 0) die("publishes failed");
  }

  std::uint64_t messages(const std::string& stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode error{};
    check(js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &error), "stream info");
    const std::uint64_t n = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return n;
  }

  /// Stream `stream` (work queue, file storage) as `jetstream_queue_source` makes it.
  void add_stream(const std::string& stream) {
    const char* subjects[] = {stream.c_str()};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = stream.c_str();
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Retention = js_WorkQueuePolicy;
    sc.Storage = js_FileStorage;
    jsErrCode error{};
    check(js_AddStream(nullptr, js_, &sc, nullptr, &error), "add stream");
  }

  /// Its durable consumer `nanofaas` as the component makes them, but with
  /// `max_ack_pending` (0: the server's default) and, if not empty, `filter`.
  void add_consumer(const std::string& stream, const std::string& filter,
                    std::uint32_t max_ack_pending) {
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "nanofaas";
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = std::chrono::nanoseconds(std::chrono::seconds(30)).count();
    cc.MaxDeliver = -1;
    if (max_ack_pending != 0) cc.MaxAckPending = max_ack_pending;
    if (!filter.empty()) cc.FilterSubject = filter.c_str();
    jsErrCode error{};
    check(js_AddConsumer(nullptr, js_, stream.c_str(), &cc, nullptr, &error), "add consumer");
  }

  void delete_stream(const std::string& stream) {
    jsErrCode error{};
    check(js_DeleteStream(js_, stream.c_str(), nullptr, &error), "delete stream");
  }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::atomic<int> failed_{0};
};

}  // namespace nanofaas::bench::jetstream
