// Three worker processes (examples/jetstream_worker.cpp) share 100,000 asynchronous events and
// a sharded stream on real servers while one of them is killed with SIGKILL mid-run (and, on
// a three-node cluster, the server leading the event stream too): every event and record is
// processed at least once. Each worker writes what it processed before acknowledging it;
// duplicates are counted and reported.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "child_process.hpp"
#include "nats_leader.hpp"
#include "nats_servers.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas::test;
using namespace std::chrono_literals;

constexpr long events = 100'000;
constexpr long records = 20'000;

/// What the workers' logs say so far: how often each event and record was processed.
class Ledgers {
 public:
  explicit Ledgers(std::vector<std::string> paths) : paths_(std::move(paths)) {
    offsets_.resize(paths_.size(), 0);
    partial_.resize(paths_.size());
  }
  /// Reads what the logs gained since the last call.
  void refresh() {
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      std::ifstream in(paths_[i], std::ios::binary);
      if (!in) continue;
      in.seekg(static_cast<std::streamoff>(offsets_[i]));
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      offsets_[i] += chunk.size();
      std::string& line = partial_[i];
      for (const char c : chunk) {
        if (c != '\n') {
          line.push_back(c);
          continue;
        }
        ++(line.rfind("event ", 0) == 0 ? events_ : records_)[line.substr(line.find(' ') + 1)];
        line.clear();
      }
    }
  }
  [[nodiscard]] std::size_t distinct_events() const { return events_.size(); }
  [[nodiscard]] std::size_t distinct_records() const { return records_.size(); }
  /// Runs beyond the first, over events and records.
  [[nodiscard]] std::size_t duplicates() const {
    std::size_t n = 0;
    for (const auto* m : {&events_, &records_}) {
      for (const auto& [key, count] : *m) n += count - 1;
    }
    return n;
  }
  /// The first event or record (by number) never processed, for a failure's message.
  [[nodiscard]] std::string first_missing() const {
    for (long i = 0; i < events; ++i) {
      if (!events_.count(numbered("e", static_cast<int>(i))))
        return numbered("e", static_cast<int>(i));
    }
    for (long i = 0; i < records; ++i) {
      if (!records_.count(numbered("r", static_cast<int>(i))))
        return numbered("r", static_cast<int>(i));
    }
    return "none";
  }

 private:
  std::vector<std::string> paths_;
  std::vector<std::size_t> offsets_;
  std::vector<std::string> partial_;
  std::unordered_map<std::string, int> events_;
  std::unordered_map<std::string, int> records_;
};

/// Three workers, a producer and their logs, against `servers`.
class ScaledOutRun {
 public:
  ScaledOutRun(const NatsServers& servers, int replicas) : replicas_(std::to_string(replicas)) {
    for (const auto& url : servers.urls()) urls_.append(urls_.empty() ? "" : ",").append(url);
    dir_ = std::filesystem::temp_directory_path() /
           ("nanofaas-kill-" + std::to_string(::getpid()) + "-" + replicas_);
    std::filesystem::create_directories(dir_);
    std::vector<std::string> logs;
    for (int i = 0; i < 3; ++i) logs.push_back((dir_ / numbered("worker", i)).string());
    ledgers_ = std::make_unique<Ledgers>(logs);
    for (const auto& log : logs) {
      // A short ack wait and lease: what a killed worker held comes back within seconds.
      workers_.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{NANOFAAS_WORKER, "--servers", urls_, "--replicas", replicas_,
                                   "--log", log, "--ack-wait-ms", "4000", "--lease-ms", "2000"}));
      if (workers_.back()->read_line() != "ready") throw std::runtime_error("a worker failed");
    }
    producer_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        NANOFAAS_PRODUCER, "--servers", urls_, "--replicas", replicas_, "--events",
        std::to_string(events), "--records", std::to_string(records), "--threads", "4"});
  }
  ~ScaledOutRun() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  /// True once the workers processed `share` of the events.
  bool wait_for_share(double share) {
    return eventually(
        [&] {
          ledgers_->refresh();
          return static_cast<double>(ledgers_->distinct_events()) >= share * events;
        },
        240s);
  }
  void kill_worker(std::size_t i) {
    workers_[i]->signal(SIGKILL);
    EXPECT_EQ(workers_[i]->wait(), 128 + SIGKILL);
    killed_ = i;
  }
  /// Waits until everything was processed, stops the live workers, and checks they all ended
  /// well; the producer must have sent everything.
  void expect_everything_processed() {
    const bool all = eventually(
        [&] {
          ledgers_->refresh();
          return ledgers_->distinct_events() == static_cast<std::size_t>(events) &&
                 ledgers_->distinct_records() == static_cast<std::size_t>(records);
        },
        300s);
    const std::string sent = producer_->read_line();
    EXPECT_EQ(producer_->wait(), 0) << sent;
    EXPECT_TRUE(all) << ledgers_->distinct_events() << " events and "
                     << ledgers_->distinct_records() << " records processed; first missing "
                     << ledgers_->first_missing();
    for (auto& w : workers_) w->signal(SIGTERM);
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (i != killed_) {
        EXPECT_EQ(workers_[i]->wait(), 0);
      }
    }
    ledgers_->refresh();
    std::printf("%s; duplicates: %zu\n", sent.c_str(), ledgers_->duplicates());
    ::testing::Test::RecordProperty("duplicates", static_cast<int>(ledgers_->duplicates()));
  }

 private:
  std::size_t killed_ = ~std::size_t{0};  // the worker killed, if any
  std::string replicas_;
  std::string urls_;
  std::filesystem::path dir_;
  std::unique_ptr<Ledgers> ledgers_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  std::unique_ptr<ChildProcess> producer_;
};

TEST(JetStreamKillTest, AWorkerKilledMidRunLosesNoEventAndNoRecord) {
  NatsServers servers;
  ScaledOutRun run(servers, 1);
  ASSERT_TRUE(run.wait_for_share(0.2));
  run.kill_worker(0);
  run.expect_everything_processed();
}

TEST(JetStreamKillTest, AWorkerAndTheEventStreamsLeaderKilledInAClusterLoseNothing) {
  NatsServers servers(true);
  ScaledOutRun run(servers, 3);
  ASSERT_TRUE(run.wait_for_share(0.2));
  run.kill_worker(0);
  const std::string leader = stream_leader(servers.urls(), "NANOFAAS_EVENTS");
  ASSERT_EQ(leader.rfind("node", 0), 0u) << leader;
  servers.kill(leader.back() - '0');
  run.expect_everything_processed();
}

}  // namespace
