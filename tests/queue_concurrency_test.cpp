// Queue under concurrency: at-least-once is exactly once when nothing expires, FIFO order
// holds per group, and record views stay intact while receives race.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "source_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::make_queue;
using test::numbered;
using test::open;
using test::poll;

TEST(QueueConcurrencyTest, EveryMessageIsReceivedAndAckedExactlyOnce) {
  constexpr int producers = 3;
  constexpr int consumers = 3;
  constexpr int per_producer = 80'000;
  constexpr int total = producers * per_producer;
  for (int iteration = 0; iteration < 3; ++iteration) {
    auto queue = make_queue({.name = "q", .visibility_timeout = 12h});
    std::vector<std::atomic<std::uint8_t>> seen(total);
    std::atomic<int> received{0};
    std::atomic<int> producers_left{producers};
    std::latch start(producers + consumers);
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        start.arrive_and_wait();
        std::vector<Payload> batch;
        for (int i = 0; i < per_producer; ++i) {
          const std::string body = std::to_string(p * per_producer + i);
          if (i % 2 == 0) {
            ASSERT_TRUE(queue->send(PayloadView(body)));
          } else {
            batch.push_back(Payload::copy_of(body));
            if (batch.size() == 50) {
              ASSERT_EQ(queue->send_batch(batch), batch.size());
              batch.clear();
            }
          }
        }
        ASSERT_EQ(queue->send_batch(batch), batch.size());
        producers_left.fetch_sub(1);
      });
    }
    for (int c = 0; c < consumers; ++c) {
      threads.emplace_back([&] {
        auto reader = open(*queue);
        std::vector<Record> records;
        start.arrive_and_wait();
        for (;;) {
          const bool done = producers_left.load() == 0;
          records.clear();
          if (reader->poll(0, 100, records) == 0) {
            if (done) break;
            std::this_thread::yield();
            continue;
          }
          for (const Record& r : records) {
            EXPECT_EQ(r.receive_count, 1u);
            EXPECT_EQ(seen[std::stoi(std::string(r.body.view()))].fetch_add(1), 0u);
          }
          received.fetch_add(static_cast<int>(records.size()));
          reader->ack(records);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(received.load(), total);
    EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
    for (int i = 0; i < total; ++i) ASSERT_EQ(seen[i].load(), 1u) << i;
  }
}

TEST(QueueConcurrencyTest, FifoOrderPerGroupHoldsUnderConcurrentConsumers) {
  constexpr int producers = 2;
  constexpr int consumers = 3;
  constexpr int groups_per_producer = 32;
  constexpr int per_group = 3'200;
  constexpr int groups = producers * groups_per_producer;
  constexpr int total = groups * per_group;  // 204'800
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .visibility_timeout = 12h});
  // The next message index each group expects; only one batch per group is in flight.
  std::vector<std::atomic<int>> expected(groups);
  std::vector<std::atomic<int>> busy(groups);
  std::atomic<int> received{0};
  std::atomic<int> producers_left{producers};
  std::latch start(producers + consumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (int i = 0; i < per_group; ++i) {
        for (int g = p * groups_per_producer; g < (p + 1) * groups_per_producer; ++g) {
          const std::string group = numbered("g", g);
          ASSERT_TRUE(queue->send(PayloadView(std::to_string(i)), {.message_group_id = group}));
        }
      }
      producers_left.fetch_sub(1);
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      auto reader = open(*queue);
      std::vector<Record> records;
      std::vector<int> mine;
      start.arrive_and_wait();
      for (;;) {
        const bool done = producers_left.load() == 0;
        records.clear();
        if (reader->poll(0, 10, records) == 0) {
          if (done && received.load() == total) break;
          std::this_thread::yield();
          continue;
        }
        mine.clear();
        for (const Record& r : records) {
          const int g = std::stoi(std::string(r.partition_key.substr(1)));
          if (std::find(mine.begin(), mine.end(), g) == mine.end()) {
            mine.push_back(g);
            EXPECT_EQ(busy[g].fetch_add(1), 0) << "two batches of group " << g;
          }
          const int i = std::stoi(std::string(r.body.view()));
          EXPECT_EQ(expected[g].load(), i) << "group " << g;
          expected[g].store(i + 1);
        }
        for (int g : mine) busy[g].fetch_sub(1);
        received.fetch_add(static_cast<int>(records.size()));
        reader->ack(records);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(received.load(), total);
  for (int g = 0; g < groups; ++g) EXPECT_EQ(expected[g].load(), per_group);
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
}

// Consumers hold their batches for a random busy while around a 100 µs visibility timeout,
// so other consumers receive, delete and redrive the same messages meanwhile, and slots are
// reused at once (a small bound). Every record's views must read its own message until it is
// handed back: the body starts with the message's sequence number, the end of its id.
void ExpectViewsIntactUnderRedelivery(bool fifo) {
  constexpr int consumers = 3;
  constexpr int total = 20'000;
  constexpr std::size_t bound = 64;
  constexpr int groups = 8;
  auto dlq = make_queue({.name = fifo ? "dlq.fifo" : "dlq",
                         .fifo = fifo,
                         .visibility_timeout = 100us,
                         .max_messages = bound});
  auto queue = make_queue({.name = fifo ? "q.fifo" : "q",
                           .fifo = fifo,
                           .visibility_timeout = 100us,
                           .max_receive_count = 3,
                           .dead_letter_queue = dlq,
                           .max_messages = bound});
  std::atomic<bool> produced{false};
  std::atomic<int> mismatches{0};
  std::atomic<int> redelivered{0};
  std::atomic<int> dead_letters{0};
  const auto body_of = [](int k) {
    std::string body = std::to_string(k);
    body += ' ';
    body.append(static_cast<std::size_t>(k % 61), static_cast<char>('a' + k % 26));
    return body;
  };
  const auto check = [&](const Record& r) {
    const std::string_view body = r.body.view();
    const std::size_t space = body.find(' ');
    bool ok = space != std::string_view::npos && space + 1 < r.id.size();
    if (ok) {
      const std::string_view number = body.substr(0, space);
      const int k = std::atoi(std::string(number).c_str());
      ok = r.id.ends_with(number) && r.id[r.id.size() - number.size() - 1] == '-' &&
           body == body_of(k) && r.attributes.size() == 1 && r.attributes[0].value == body &&
           r.partition_key == (fifo ? numbered("g", k % groups) : std::string());
    }
    if (!ok) mismatches.fetch_add(1);
  };
  std::latch start(consumers + 1);
  std::vector<std::thread> threads;
  std::atomic<bool> stuck{false};
  threads.emplace_back([&] {
    start.arrive_and_wait();
    // Slots that are never freed would fill the queue for good.
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    for (int k = 1; k <= total && !stuck.load(); ++k) {
      const std::string body = body_of(k);
      const std::string group = fifo ? numbered("g", k % groups) : std::string();
      // The k-th message has sequence number k (one producer), the end of its id.
      while (!queue->send(PayloadView(body),
                          {.message_group_id = group, .attributes = {{"n", body}}})) {
        if (std::chrono::steady_clock::now() > give_up) {
          stuck.store(true);
          break;
        }
        std::this_thread::yield();
      }
    }
    produced.store(true);
  });
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      auto reader = open(*queue);
      auto dead = open(*dlq);
      std::mt19937 rng(static_cast<unsigned>(c) * 7919u + (fifo ? 1u : 0u));
      std::vector<Record> records;
      std::vector<Record> done;
      std::vector<Record> failed;
      std::vector<Record> left;
      start.arrive_and_wait();
      const auto handle = [&](SourceReader& from, std::size_t max) {
        records.clear();
        if (from.poll(0, max, records) == 0) return false;
        for (const Record& r : records) check(r);
        if (rng() % 2 == 0) {
          const auto until =
              std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 300);
          while (std::chrono::steady_clock::now() < until) {
          }
        }
        done.clear();
        failed.clear();
        left.clear();
        for (const Record& r : records) {
          check(r);
          if (r.receive_count > 1) redelivered.fetch_add(1, std::memory_order_relaxed);
          const unsigned roll = rng() % 4;
          (roll < 2 ? done : roll == 2 ? failed : left).push_back(r);
        }
        from.ack(done);
        from.nack(failed, 0ns);
        from.release(left);
        return true;
      };
      for (;;) {
        const bool finished = produced.load();
        bool got = handle(*reader, 8);
        if (handle(*dead, 8)) {
          dead_letters.fetch_add(1, std::memory_order_relaxed);
          got = true;
        }
        if (got) continue;
        if (finished && queue->approximate_visible() + queue->approximate_in_flight() +
                                dlq->approximate_visible() + dlq->approximate_in_flight() ==
                            0) {
          break;
        }
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(stuck.load());
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(redelivered.load(), 0);
  EXPECT_GT(dead_letters.load(), 0);
  // Every receive was handed back, so no slot is held: both queues take `bound` messages.
  for (auto* q : {queue.get(), dlq.get()}) {
    for (std::size_t n = 0; n < bound; ++n) {
      ASSERT_TRUE(q->send(PayloadView("x"), {.message_group_id = "g"}));
    }
    EXPECT_FALSE(q->send(PayloadView("x"), {.message_group_id = "g"}));
  }
}

TEST(QueueConcurrencyTest, RecordViewsStayIntactWhileSlowConsumersRaceRedeliveries) {
  ExpectViewsIntactUnderRedelivery(false);
}

TEST(QueueConcurrencyTest, FifoRecordViewsStayIntactWhileSlowConsumersRaceRedeliveries) {
  ExpectViewsIntactUnderRedelivery(true);
}

}  // namespace
