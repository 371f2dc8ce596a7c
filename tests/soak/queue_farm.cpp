#include "queue_farm.hpp"

#include <stdexcept>

namespace soak {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t max_receive_count = 3;

std::shared_ptr<nanofaas::Queue> make_queue(nanofaas::QueueConfig config) {
  auto queue = nanofaas::Queue::create(std::move(config));
  if (!queue) throw std::runtime_error("Queue::create: " + queue.error().message);
  return std::move(queue).value();
}

std::chrono::nanoseconds visibility_of(QueueShape shape) {
  return shape == QueueShape::wide ? 1500ms : 250ms;
}

}  // namespace

void MappingTotals::add(const nanofaas::EventSourceMappingMetrics& m) {
  polled += m.records_polled;
  filtered += m.records_filtered;
  succeeded += m.records_succeeded;
  batches += m.batches;
  batches_failed += m.batches_failed;
  batches_throttled += m.batches_throttled;
}

QueueFarm::QueueFarm(std::uint32_t standard, const Fleet& fleet) : fleet_(fleet) {
  auto filter = nanofaas::FilterCriteria::compile({R"({"k":[{"anything-but":["x"]}]})"});
  if (!filter) throw std::runtime_error("filter: " + filter.error().message);
  drop_filtered_ = *filter;
  const std::uint32_t total = standard + 4;
  for (std::uint32_t i = 0; i < total; ++i) {
    MappedQueue q;
    q.index = static_cast<std::uint16_t>(i);
    q.shape = i < standard ? QueueShape::standard
                           : (i < standard + 2 ? QueueShape::wide : QueueShape::fifo);
    const bool fifo = q.shape == QueueShape::fifo;
    const std::string name = "soak-q" + std::to_string(i);
    q.dead_letters = make_queue(
        {.name = name + "-dlq" + (fifo ? ".fifo" : ""), .fifo = fifo, .max_messages = 4'000'000});
    q.queue = make_queue({.name = name + (fifo ? ".fifo" : ""),
                          .fifo = fifo,
                          .visibility_timeout = visibility_of(q.shape),
                          .max_receive_count = max_receive_count,
                          .dead_letter_queue = q.dead_letters,
                          .max_messages = 200'000});
    queues_.push_back(std::move(q));
  }
}

std::chrono::nanoseconds QueueFarm::longest_visibility_timeout() const {
  return visibility_of(QueueShape::wide);
}

void QueueFarm::randomise_batching(const MappedQueue& q, nanofaas::EventSourceMappingConfig& config,
                                   std::mt19937_64& rng) const {
  if (q.shape == QueueShape::wide) {
    config.batch_size = static_cast<std::uint32_t>(20 + rng() % 81);
    config.maximum_batching_window = 1s;  // Lambda's minimum for batches over 10
  } else {
    config.batch_size = static_cast<std::uint32_t>(1 + rng() % 10);
    config.maximum_batching_window =
        q.shape == QueueShape::fifo ? 0ms : std::chrono::milliseconds(rng() % 8);
  }
  config.maximum_concurrency = static_cast<std::uint32_t>(2 + rng() % 5);
  config.filter_criteria = rng() % 2 == 0 ? drop_filtered_ : nanofaas::FilterCriteria();
}

nanofaas::EventSourceMappingConfig QueueFarm::random_config(const MappedQueue& q,
                                                            std::mt19937_64& rng) const {
  nanofaas::EventSourceMappingConfig config;
  config.source = q.queue;
  // A wide batch nearly always holds a failing message: failing it whole would send every
  // message to the dead-letter queue, so wide queues report failed items.
  config.report_batch_item_failures = q.shape == QueueShape::wide || rng() % 3 != 0;
  const auto& names = config.report_batch_item_failures ? fleet_.report_names : fleet_.whole_names;
  config.function_name = names[rng() % names.size()];
  if (rng() % 4 == 0) config.function_name += ":live";
  randomise_batching(q, config, rng);
  return config;
}

bool QueueFarm::create_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng) {
  auto config = random_config(q, rng);
  auto uuid = engine.create_event_source_mapping(config);
  if (!uuid) return false;
  q.mappings.push_back({std::move(uuid).value(), std::move(config)});
  return true;
}

bool QueueFarm::delete_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng) {
  if (q.mappings.empty()) return false;
  const std::size_t which = rng() % q.mappings.size();
  MappedQueue::Mapping& m = q.mappings[which];
  const bool disable_first = rng() % 4 != 0;
  if (disable_first && m.config.enabled) {
    // Disabling waits for the batches in flight: the counters read next are final.
    auto disabled = m.config;
    disabled.enabled = false;
    if (!engine.update_event_source_mapping(m.uuid, disabled)) return false;
    m.config.enabled = false;
  }
  if (m.config.enabled) ++q.deleted_while_enabled;
  if (auto metrics = engine.event_source_mapping_metrics(m.uuid)) q.totals.add(*metrics);
  if (!engine.delete_event_source_mapping(m.uuid)) return false;
  q.mappings.erase(q.mappings.begin() + static_cast<std::ptrdiff_t>(which));
  return true;
}

bool QueueFarm::update_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng) {
  if (q.mappings.empty()) return false;
  MappedQueue::Mapping& m = q.mappings[rng() % q.mappings.size()];
  auto config = m.config;
  if (rng() % 3 == 0) {
    config.enabled = !config.enabled;
  } else {
    randomise_batching(q, config, rng);
  }
  if (!engine.update_event_source_mapping(m.uuid, config)) return false;
  m.config = std::move(config);
  return true;
}

void QueueFarm::collect_live_mappings(const nanofaas::Engine& engine) {
  for (auto& q : queues_) {
    for (const auto& m : q.mappings) {
      if (auto metrics = engine.event_source_mapping_metrics(m.uuid)) q.totals.add(*metrics);
    }
    q.mappings.clear();
  }
}

}  // namespace soak
