// A stream reader in a process of its own, for jetstream_failover_test: it reads a shard,
// checkpoints part of what it read and keeps the shard's lease until it is killed, as a
// reader whose process crashes. Arguments: server URL, stream, group, lease bucket, records
// to read, sequence number to checkpoint. A closed stdin (the test gone) ends it too.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_stream.hpp"

int main(int argc, char** argv) {
  using namespace nanofaas;
  using namespace std::chrono_literals;
  if (argc != 7) {
    std::fputs("usage: jetstream_crashing_reader URL STREAM GROUP BUCKET COUNT CHECKPOINT\n",
               stderr);
    return 2;
  }
  auto js = JetStream::connect({.servers = {argv[1]}});
  if (!js) {
    std::fprintf(stderr, "%s\n", js.error().message.c_str());
    return 1;
  }
  auto source = jetstream_stream_source(*js, {.stream = argv[2],
                                              .group = argv[3],
                                              .lease_bucket = argv[4],
                                              .lease_duration = 2s,  // as jetstream_failover_test's
                                              .ack_wait = 60s,
                                              .fetch_wait = 200ms});
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    return 1;
  }
  auto reader = (*source)->open({.starting_position = StartingPosition::trim_horizon});
  if (!reader) return 1;
  const auto count = std::stoul(argv[5]);
  std::vector<Record> records;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (records.size() < count && std::chrono::steady_clock::now() < until) {
    if ((*reader)->poll(0, count - records.size(), records) == 0) usleep(1000);
  }
  if (records.size() < count) return 1;
  (*reader)->checkpoint(0, std::stoull(argv[6]));
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  std::_Exit(0);  // no clean close: the lease is left to run out
}
