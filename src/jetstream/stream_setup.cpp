#include "jetstream/stream_setup.hpp"

#include <algorithm>

#include "jetstream/nats_handles.hpp"
#include "jetstream/nats_status.hpp"

namespace nanofaas::detail {
namespace {

bool missing(natsStatus s, jsErrCode e) {
  return s == NATS_NOT_FOUND || e == JSStreamNotFoundErr || e == JSConsumerNotFoundErr;
}

}  // namespace

bool valid_nats_name(const std::string& name) noexcept {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Status ensure_stream(const NatsConnection& connection, const StreamSpec& spec) {
  const auto patience = connection.options().retry_for;
  jsErrCode js_error{};
  natsStatus s = retry_transient(patience, js_error, [&](jsErrCode& e) {
    jsStreamInfo* info = nullptr;
    const natsStatus r = js_GetStreamInfo(&info, connection.js(), spec.name.c_str(), nullptr, &e);
    JsStreamInfoPtr owned(info);
    return r;
  });
  if (s == NATS_OK) return {};
  if (!missing(s, js_error) || !spec.create) {
    return Unexpected(nats_error("stream " + spec.name, s, js_error));
  }
  std::vector<const char*> subjects;
  for (const std::string& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = spec.name.c_str();
  config.Subjects = subjects.empty() ? nullptr : subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Retention = spec.retention;
  config.Storage = js_FileStorage;
  config.Replicas = spec.replicas;
  // Another process may create it at the same moment: the same configuration is no error.
  s = retry_transient(patience, js_error, [&](jsErrCode& e) {
    jsStreamInfo* info = nullptr;
    const natsStatus r = js_AddStream(&info, connection.js(), &config, nullptr, &e);
    JsStreamInfoPtr owned(info);
    return r;
  });
  if (s != NATS_OK) return Unexpected(nats_error("creating stream " + spec.name, s, js_error));
  return {};
}

Expected<std::chrono::nanoseconds> ensure_consumer(const NatsConnection& connection,
                                                   const ConsumerSpec& spec) {
  const auto patience = connection.options().retry_for;
  const std::string what = "consumer " + spec.durable + " of stream " + spec.stream;
  JsConsumerInfoPtr info;
  jsErrCode js_error{};
  natsStatus s = retry_transient(patience, js_error, [&](jsErrCode& e) {
    jsConsumerInfo* raw = nullptr;
    const natsStatus r = js_GetConsumerInfo(&raw, connection.js(), spec.stream.c_str(),
                                            spec.durable.c_str(), nullptr, &e);
    info.reset(raw);
    return r;
  });
  if (s != NATS_OK) {
    if (!missing(s, js_error) || !spec.create) {
      return Unexpected(nats_error(what, s, js_error));
    }
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = spec.durable.c_str();
    config.AckPolicy = spec.ack_policy;
    config.AckWait = spec.ack_wait.count();
    config.MaxDeliver = -1;  // redrive is the source's, past its own receive count
    config.DeliverPolicy = spec.deliver_policy;
    config.OptStartTime = spec.start_time_ns;
    config.Replicas = spec.replicas;
    if (spec.max_ack_pending != 0) config.MaxAckPending = spec.max_ack_pending;
    if (!spec.filter_subject.empty()) config.FilterSubject = spec.filter_subject.c_str();
    s = retry_transient(patience, js_error, [&](jsErrCode& e) {
      jsConsumerInfo* raw = nullptr;
      const natsStatus r =
          js_AddConsumer(&raw, connection.js(), spec.stream.c_str(), &config, nullptr, &e);
      info.reset(raw);
      return r;
    });
    if (s != NATS_OK) return Unexpected(nats_error("creating " + what, s, js_error));
  }
  return std::chrono::nanoseconds(info->Config->AckWait);
}

Expected<NatsSubscriptionPtr> bind_pull_subscription(const NatsConnection& connection,
                                                     const std::string& stream,
                                                     const std::string& durable) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Consumer = durable.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode js_error{};
  const natsStatus s = retry_transient(connection.options().retry_for, js_error, [&](jsErrCode& e) {
    return js_PullSubscribe(&raw, connection.js(), nullptr, durable.c_str(), nullptr, &options, &e);
  });
  if (s != NATS_OK) {
    return Unexpected(nats_error("subscribing to consumer " + durable, s, js_error));
  }
  return NatsSubscriptionPtr(raw);
}

}  // namespace nanofaas::detail
