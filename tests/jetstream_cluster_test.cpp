// A JetStream queue with three replicas on a real three-node cluster: no message is lost
// when the server leading its stream is killed, and publishes and fetches carry on.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nats_leader.hpp"
#include "nats_servers.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::eventually;
using test::stream_leader;

TEST(JetStreamClusterTest, AReplicatedQueueLosesNothingWhenItsLeaderIsKilled) {
  test::NatsServers servers(true);
  auto js = JetStream::connect({.servers = servers.urls()});
  ASSERT_TRUE(js) << js.error().message;
  auto source = jetstream_queue_source(*js, {.stream = "q", .replicas = 3});
  ASSERT_TRUE(source) << source.error().message;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(js->publish("q", test::numbered("m", i)));

  const std::string leader = stream_leader(servers.urls(), "q");
  ASSERT_EQ(leader.rfind("node", 0), 0u) << leader;
  servers.kill(leader.back() - '0');

  // Publishes wait out the election; the reader's fetches resume on their own.
  for (int i = 50; i < 100; ++i) {
    auto published = js->publish("q", test::numbered("m", i));
    ASSERT_TRUE(published) << published.error().message;
  }
  auto reader = (*source)->open({});
  ASSERT_TRUE(reader) << reader.error().message;
  std::set<std::string> bodies;
  ASSERT_TRUE(eventually(
      [&] {
        std::vector<Record> got;
        (*reader)->poll(0, 100, got);
        for (const Record& r : got) bodies.insert(std::string(r.body.view()));
        (*reader)->ack(got);
        return bodies.size() == 100;
      },
      40s))
      << bodies.size() << " of 100";
}

}  // namespace
