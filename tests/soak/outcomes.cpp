#include "outcomes.hpp"

#include <stdexcept>

#include "payloads.hpp"

namespace soak {
namespace {

using nanofaas::DeadLetter;
using nanofaas::InvocationRecord;

/// Records one invocation record; `primary` when this target names the outcome's id.
void route_record(AsyncLedger& ledger, const InvocationRecord& r, bool primary) {
  if (is_audit_function(r.function_name)) {
    // An audit event ended: its payload is the record of the event it audits.
    const auto condition = json_string(r.request_payload, "condition");
    ledger.delivered(parse_async_body(r.request_payload).seq,
                     condition == "Success" ? Channel::derived_success : Channel::derived_failure,
                     json_string(r.request_payload, "requestId"));
    return;
  }
  const std::string id = r.request_id.to_string();
  ledger.delivered(parse_async_body(r.request_payload).seq,
                   r.condition == "Success" ? Channel::success : Channel::failure_record,
                   primary ? std::optional<std::string_view>(id) : std::nullopt);
}

void route_dead_letter(AsyncLedger& ledger, const DeadLetter& d, bool primary) {
  const std::string id = d.request_id.to_string();
  ledger.delivered(parse_async_body(d.payload).seq, Channel::dead_letter,
                   primary ? std::optional<std::string_view>(id) : std::nullopt);
}

/// A RecordSink writing into the ledger; its dead letters are primary or not.
class LedgerSink final : public nanofaas::RecordSink {
 public:
  LedgerSink(AsyncLedger& ledger, bool dead_letters_primary)
      : ledger_(ledger), dead_letters_primary_(dead_letters_primary) {}
  nanofaas::Status put(const InvocationRecord& record) override {
    route_record(ledger_, record, true);
    return {};
  }
  nanofaas::Status put(const DeadLetter& letter) override {
    route_dead_letter(ledger_, letter, dead_letters_primary_);
    return {};
  }

 private:
  AsyncLedger& ledger_;
  bool dead_letters_primary_;
};

std::shared_ptr<nanofaas::Queue> destination_queue(const char* name) {
  auto queue = nanofaas::Queue::create({.name = name, .max_messages = 8'000'000});
  if (!queue) throw std::runtime_error(queue.error().message);
  return std::move(queue).value();
}

std::unique_ptr<nanofaas::SourceReader> reader_of(nanofaas::Queue& queue) {
  auto reader = queue.open({});
  if (!reader) throw std::runtime_error(reader.error().message);
  return std::move(reader).value();
}

/// The value of a message attribute, or empty.
std::string_view attribute(const nanofaas::Record& r, std::string_view name) {
  for (const auto& a : r.attributes) {
    if (a.name == name) return a.value;
  }
  return {};
}

}  // namespace

bool is_audit_function(std::string_view name) {
  return name.starts_with("audit");
}

Outcomes::Outcomes(AsyncLedger& ledger)
    : ledger_(ledger),
      misrouted_(std::make_shared<std::atomic<std::uint64_t>>(0)),
      records_(std::make_shared<LedgerSink>(ledger, true)),
      extra_dead_letters_(std::make_shared<LedgerSink>(ledger, false)),
      success_queue_(destination_queue("soak-on-success")),
      dead_letter_queue_(destination_queue("soak-dead-letters")),
      success_reader_(reader_of(*success_queue_)),
      dead_letter_reader_(reader_of(*dead_letter_queue_)) {}

nanofaas::AsyncConfig Outcomes::async_config(Profile profile, const std::string& audit,
                                             const RetrySettings& retry) const {
  nanofaas::AsyncConfig config;
  config.maximum_retry_attempts = retry.maximum_retry_attempts;
  config.retry_delays = retry.retry_delays;
  config.maximum_event_age = retry.maximum_event_age;
  AsyncLedger* ledger = &ledger_;
  auto misrouted = misrouted_;
  switch (profile) {
    case Profile::record_sinks:
      config.on_success.record_sink = records_;
      config.on_failure.record_sink = records_;
      break;
    case Profile::callbacks:
      config.on_success.sink = [ledger, misrouted](const InvocationRecord& r) {
        if (r.condition != "Success") misrouted->fetch_add(1);
        route_record(*ledger, r, true);
      };
      config.dead_letter = [ledger](const DeadLetter& d) { route_dead_letter(*ledger, d, true); };
      break;
    case Profile::callback_and_sink:
      config.on_success.record_sink = records_;
      config.on_failure.sink = [ledger, misrouted](const InvocationRecord& r) {
        if (r.condition == "Success") misrouted->fetch_add(1);
        route_record(*ledger, r, true);
      };
      config.dead_letter_sink = extra_dead_letters_;
      break;
    case Profile::queues:
      config.on_success.queue = success_queue_;
      config.dead_letter_queue = dead_letter_queue_;
      break;
    case Profile::audit_function:
      config.on_success.function = audit;
      config.on_failure.function = audit;
      break;
  }
  return config;
}

std::function<void(const DeadLetter&)> Outcomes::spill_handler() {
  AsyncLedger* ledger = &ledger_;
  return [ledger](const DeadLetter& d) {
    if (is_audit_function(d.function_name)) {
      const auto condition = json_string(d.payload, "condition");
      ledger->delivered(
          parse_async_body(d.payload).seq,
          condition == "Success" ? Channel::derived_success : Channel::derived_failure,
          json_string(d.payload, "requestId"));
      return;
    }
    const std::string id = d.request_id.to_string();
    ledger->delivered(parse_async_body(d.payload).seq, Channel::spill, id);
  };
}

std::size_t Outcomes::drain_destination_queues() {
  std::vector<nanofaas::Record> batch;
  std::size_t drained = 0;
  while (success_reader_->poll(0, 256, batch) > 0) {
    for (const auto& r : batch) {
      const std::string_view json = r.body.view();
      if (json_string(json, "condition") != "Success") misrouted_->fetch_add(1);
      ledger_.delivered(parse_async_body(json).seq, Channel::success,
                        json_string(json, "requestId"));
    }
    drained += batch.size();
    success_reader_->ack(batch);
    batch.clear();
  }
  while (dead_letter_reader_->poll(0, 256, batch) > 0) {
    for (const auto& r : batch) {
      ledger_.delivered(parse_async_body(r.body.view()).seq, Channel::dead_letter,
                        attribute(r, "RequestID"));
    }
    drained += batch.size();
    dead_letter_reader_->ack(batch);
    batch.clear();
  }
  return drained;
}

std::size_t Outcomes::destination_queue_depth() const {
  std::size_t depth = 0;
  for (const auto* q : {success_queue_.get(), dead_letter_queue_.get()}) {
    depth += q->approximate_visible() + q->approximate_in_flight() + q->approximate_delayed();
  }
  return depth;
}

}  // namespace soak
