#include "jetstream/stream_setup.hpp"

#include <algorithm>

#include "jetstream/nats_handles.hpp"
#include "jetstream/nats_status.hpp"

namespace nanofaas::detail {
namespace {

bool missing(natsStatus s, jsErrCode e) {
  return s == NATS_NOT_FOUND || e == JSStreamNotFoundErr || e == JSConsumerNotFoundErr;
}

/// The consumer `spec` asks for; its strings point into `spec`.
jsConsumerConfig consumer_config(const ConsumerSpec& spec) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = spec.durable.c_str();
  config.AckPolicy = spec.ack_policy;
  config.AckWait = spec.ack_wait.count();
  config.MaxDeliver = -1;  // redrive is the source's, past its own receive count
  config.DeliverPolicy = spec.deliver_policy;
  config.OptStartSeq = spec.start_seq;
  config.OptStartTime = spec.start_time_ns;
  config.Replicas = spec.replicas;
  if (spec.max_ack_pending != 0) config.MaxAckPending = spec.max_ack_pending;
  if (!spec.filter_subject.empty()) config.FilterSubject = spec.filter_subject.c_str();
  return config;
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
  const auto get_info = [&](jsErrCode& error) {
    return retry_transient(patience, error, [&](jsErrCode& e) {
      jsConsumerInfo* raw = nullptr;
      const natsStatus r = js_GetConsumerInfo(&raw, connection.js(), spec.stream.c_str(),
                                              spec.durable.c_str(), nullptr, &e);
      info.reset(raw);
      return r;
    });
  };
  natsStatus s = get_info(js_error);
  if (s != NATS_OK) {
    if (!missing(s, js_error) || !spec.create) {
      return Unexpected(nats_error(what, s, js_error));
    }
    jsConsumerConfig config = consumer_config(spec);
    s = retry_transient(patience, js_error, [&](jsErrCode& e) {
      jsConsumerInfo* raw = nullptr;
      const natsStatus r =
          js_AddConsumer(&raw, connection.js(), spec.stream.c_str(), &config, nullptr, &e);
      info.reset(raw);
      return r;
    });
    // Another reader may have created it meanwhile, as it wanted (a shard's holder
    // recreating it): that one is used.
    jsErrCode ignored{};
    if (s != NATS_OK && !transient(s, js_error) && get_info(ignored) == NATS_OK) s = NATS_OK;
    if (s != NATS_OK) return Unexpected(nats_error("creating " + what, s, js_error));
  }
  return std::chrono::nanoseconds(info->Config->AckWait);
}

namespace {

/// Where `info`'s consumer must start again so that nothing after its last ack is skipped:
/// after the ack floor once something was acked; where it stands while nothing was
/// delivered; else where it first started (its own start policy).
void restart_point(const jsConsumerInfo& info, ConsumerSpec& spec) {
  const jsConsumerConfig& c = *info.Config;
  spec.ack_wait = std::chrono::nanoseconds(c.AckWait);
  spec.max_ack_pending = c.MaxAckPending > 0 ? static_cast<std::uint32_t>(c.MaxAckPending) : 0;
  spec.replicas = c.Replicas;
  spec.deliver_policy = js_DeliverByStartSequence;
  spec.start_time_ns = 0;
  if (info.AckFloor.Consumer != 0) {
    spec.start_seq = info.AckFloor.Stream + 1;
  } else if (info.Delivered.Consumer == 0) {
    spec.start_seq = info.Delivered.Stream + 1;
  } else {
    spec.deliver_policy = c.DeliverPolicy;
    spec.start_seq = c.OptStartSeq;
    spec.start_time_ns = c.OptStartTime;
  }
}

}  // namespace

Status rewind_consumer(const NatsConnection& connection, ConsumerSpec& spec, bool& known,
                       std::chrono::milliseconds patience) {
  const std::string what = "consumer " + spec.durable + " of stream " + spec.stream;
  jsOptions options;  // each request waits no longer than the whole
  jsOptions_Init(&options);
  options.Wait = std::min(patience, connection.options().request_timeout).count();
  const auto until = std::chrono::steady_clock::now() + patience;
  const auto left = [&] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                        until - std::chrono::steady_clock::now()),
                    std::chrono::milliseconds(0));
  };
  jsErrCode js_error{};
  if (!known) {
    JsConsumerInfoPtr info;
    const natsStatus s = retry_transient(left(), js_error, [&](jsErrCode& e) {
      jsConsumerInfo* raw = nullptr;
      const natsStatus r = js_GetConsumerInfo(&raw, connection.js(), spec.stream.c_str(),
                                              spec.durable.c_str(), &options, &e);
      info.reset(raw);
      return r;
    });
    if (s == NATS_OK) {
      restart_point(*info, spec);
    } else if (!missing(s, js_error)) {  // missing: created as the reader asks
      return Unexpected(nats_error(what, s, js_error));
    }
    known = true;
  }
  jsConsumerConfig config = consumer_config(spec);
  // Another reader opening may create it as it wants in between: deleted again then.
  natsStatus s = NATS_OK;
  for (int attempt = 0; attempt < 3; ++attempt) {
    s = retry_transient(left(), js_error, [&](jsErrCode& e) {
      return js_DeleteConsumer(connection.js(), spec.stream.c_str(), spec.durable.c_str(), &options,
                               &e);
    });
    if (s != NATS_OK && !missing(s, js_error)) {
      return Unexpected(nats_error("deleting " + what, s, js_error));
    }
    s = retry_transient(left(), js_error, [&](jsErrCode& e) {
      jsConsumerInfo* raw = nullptr;
      const natsStatus r =
          js_AddConsumer(&raw, connection.js(), spec.stream.c_str(), &config, &options, &e);
      JsConsumerInfoPtr owned(raw);
      return r;
    });
    if (s == NATS_OK || transient(s, js_error)) break;
  }
  if (s != NATS_OK) return Unexpected(nats_error("recreating " + what, s, js_error));
  known = false;
  return {};
}

Expected<NatsSubscriptionPtr> bind_pull_subscription(
    const NatsConnection& connection, const std::string& stream, const std::string& durable,
    std::optional<std::chrono::milliseconds> patience) {
  jsOptions js_options;
  jsOptions_Init(&js_options);
  if (patience) js_options.Wait = std::min(*patience, connection.options().request_timeout).count();
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Consumer = durable.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode js_error{};
  const natsStatus s = retry_transient(
      patience.value_or(connection.options().retry_for), js_error, [&](jsErrCode& e) {
        return js_PullSubscribe(&raw, connection.js(), nullptr, durable.c_str(),
                                patience ? &js_options : nullptr, &options, &e);
      });
  if (s != NATS_OK) {
    return Unexpected(nats_error("subscribing to consumer " + durable, s, js_error));
  }
  return NatsSubscriptionPtr(raw);
}

}  // namespace nanofaas::detail
