// A JetStream stream's shard passing to another reader while records after the last
// checkpoint are delivered and not acked: the next holder reads on from the checkpoint, in
// order, whether the earlier one crashed (a process killed) or the same reader lost the
// lease and took it again. Leases of 2 s (a lease request waits half a second, ample on a
// loaded machine) and an ack wait of 60 s: only the handover brings those records back.

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_stream.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

constexpr const char* bucket = "failover-leases";

/// The C client on the same server, to see what the component does not show: a consumer's
/// ack floor, and a lease key written as another reader would.
class Raw {
 public:
  explicit Raw(const std::string& url) {
    if (natsConnection_ConnectTo(&nc_, url.c_str()) != NATS_OK ||
        natsConnection_JetStream(&js_, nc_, nullptr) != NATS_OK ||
        js_KeyValue(&kv_, js_, bucket) != NATS_OK) {
      throw std::runtime_error("cannot connect the C client");
    }
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    kvStore_Destroy(kv_);
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
  }
  /// The stream sequence of shard 0's last checkpoint in `group`, 0 if none or unknown.
  std::uint64_t ack_floor(const std::string& group) {
    return consumer_info(group, [](const jsConsumerInfo& i) { return i.AckFloor.Stream; });
  }
  /// How many deliveries shard 0's consumer of `group` made, 0 if unknown.
  std::uint64_t delivered(const std::string& group) {
    return consumer_info(group, [](const jsConsumerInfo& i) { return i.Delivered.Consumer; });
  }
  /// Takes one delivery from shard 0's consumer of `group` and drops it unacked, as a former
  /// holder's late fetch would: its body, or empty.
  std::string steal_one(const std::string& group) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = "s";
    const std::string durable = group + "-0";
    options.Consumer = durable.c_str();
    natsSubscription* sub = nullptr;
    std::string body;
    if (js_PullSubscribe(&sub, js_, nullptr, durable.c_str(), nullptr, &options, nullptr) ==
        NATS_OK) {
      natsMsgList list{};
      if (natsSubscription_Fetch(&list, sub, 1, 5000, nullptr) == NATS_OK && list.Count == 1) {
        body.assign(natsMsg_GetData(list.Msgs[0]),
                    static_cast<std::size_t>(natsMsg_GetDataLength(list.Msgs[0])));
      }
      natsMsgList_Destroy(&list);
    }
    natsSubscription_Destroy(sub);
    return body;
  }
  /// Writes another owner into shard 0's lease of `group`.
  void take_lease(const std::string& group) {
    std::uint64_t revision = 0;
    if (kvStore_PutString(&revision, kv_, ("s." + group + ".0").c_str(), "another") != NATS_OK) {
      throw std::runtime_error("cannot write the lease");
    }
  }

 private:
  /// What `read` takes from the info of shard 0's consumer of `group`, 0 if unknown.
  template <class Read>
  std::uint64_t consumer_info(const std::string& group, Read read) {
    jsConsumerInfo* info = nullptr;
    std::uint64_t value = 0;
    if (js_GetConsumerInfo(&info, js_, "s", (group + "-0").c_str(), nullptr, nullptr) == NATS_OK) {
      value = read(*info);
    }
    jsConsumerInfo_Destroy(info);
    return value;
  }

  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;
};

/// A server, a one-shard stream "s" holding r0-r9, and a source on it for group "g".
struct FailoverFixture {
  FailoverFixture() {
    auto made = jetstream_stream_source(js, {.stream = "s",
                                             .group = "g",
                                             .lease_bucket = bucket,
                                             .lease_duration = 2s,
                                             .ack_wait = 60s,
                                             .fetch_wait = 200ms});
    if (!made) throw std::runtime_error(made.error().message);
    source = *made;
    raw = std::make_unique<Raw>(servers.urls().front());  // once the bucket exists
    for (int i = 0; i < 10; ++i) put(numbered("r", i));
  }
  void put(const std::string& data) {
    if (!jetstream_put_record(js, "s", 1, "k", data)) throw std::runtime_error("put failed");
  }
  std::unique_ptr<SourceReader> open() {
    return source->open({.starting_position = StartingPosition::trim_horizon}).value();
  }
  NatsServers servers;
  JetStream js = JetStream::connect({.servers = servers.urls()}).value();
  std::shared_ptr<Source> source;
  std::unique_ptr<Raw> raw;
};

/// jetstream_crashing_reader in a process of its own, with `args`.
ChildProcess crashing_reader(std::vector<std::string> args) {
  args.insert(args.begin(), NANOFAAS_CRASHING_READER);
  return ChildProcess(args);
}

/// r3-r9 (sequences 4-10), in order.
void expect_after_checkpoint(const std::vector<Record>& records) {
  ASSERT_EQ(records.size(), 7u);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].sequence_number, i + 4);
    EXPECT_EQ(records[i].body.view(), numbered("r", static_cast<int>(i + 3)));
  }
}

TEST(JetStreamFailoverTest, ANewHolderReadsOnFromTheCheckpointOfAReaderThatCrashed) {
  FailoverFixture f;
  // Another process reads r0-r9, checkpoints r2 and dies with r3-r9 delivered, unacked.
  ChildProcess crashing = crashing_reader({f.servers.urls().front(), "s", "g", bucket, "10", "3"});
  ASSERT_TRUE(eventually([&] { return f.raw->ack_floor("g") == 3; }));
  crashing.signal(SIGKILL);
  crashing.wait();
  // Its lease runs out and this reader takes the shard.
  auto next = f.open();
  const auto records = poll_until(*next, 0, 7);
  expect_after_checkpoint(records);
  next->checkpoint(0, 10);
  next.reset();
  // Nothing is left before what comes next.
  f.put("after");
  auto last = f.open();
  const auto after = poll_until(*last, 0, 1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].body.view(), "after");
  EXPECT_EQ(after[0].sequence_number, 11u);
}

TEST(JetStreamFailoverTest, AReaderThatLosesItsShardAndTakesItAgainReadsOnFromItsCheckpoint) {
  FailoverFixture f;
  auto reader = f.open();
  const auto first = poll_until(*reader, 0, 10);
  ASSERT_EQ(first.size(), 10u);
  reader->checkpoint(0, 3);
  ASSERT_TRUE(eventually([&] { return f.raw->ack_floor("g") == 3; }));
  // Another owner in the lease: the reader loses the shard, and takes it again once that
  // entry runs out.
  f.raw->take_lease("g");
  const auto again = poll_until(*reader, 0, 7);
  expect_after_checkpoint(again);
  reader->checkpoint(0, 10);
  EXPECT_TRUE(eventually([&] { return f.raw->ack_floor("g") == 10; }));
}

TEST(JetStreamFailoverTest, ADeliveryTheHolderNeverGotIsReadAgainNotSkipped) {
  FailoverFixture f;
  // Prefetch 3: the reader fetches r0-r2 and waits, so that the next delivery, r3, goes to a
  // fetch from elsewhere (a former holder's, arriving late) and is dropped there.
  auto source = jetstream_stream_source(f.js, {.stream = "s",
                                               .group = "h",
                                               .lease_bucket = bucket,
                                               .lease_duration = 2s,
                                               .ack_wait = 60s,
                                               .prefetch = 3,
                                               .fetch_wait = 200ms});
  ASSERT_TRUE(source) << source.error().message;
  auto reader = (*source)->open({.starting_position = StartingPosition::trim_horizon}).value();
  ASSERT_TRUE(eventually([&] { return f.raw->delivered("h") == 3; }));
  ASSERT_EQ(f.raw->steal_one("h"), "r3");
  const auto first = poll_until(*reader, 0, 3);
  ASSERT_EQ(first.size(), 3u);
  // The deliveries after the stolen one jump: the consumer starts over from the checkpoint
  // (none yet), and r3 is read in order, never skipped (a checkpoint would ack it unread).
  std::vector<std::string> bodies;
  eventually([&] {
    std::vector<Record> got;
    reader->poll(0, 10, got);
    for (const Record& r : got) bodies.emplace_back(r.body.view());
    return bodies.size() >= 10;
  });
  ASSERT_EQ(bodies.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bodies[static_cast<std::size_t>(i)], numbered("r", i));
}

}  // namespace
