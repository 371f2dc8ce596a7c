#include "jetstream/publisher.hpp"

#include <string>

#include "jetstream/nats_status.hpp"

namespace nanofaas::detail {

Expected<std::uint64_t> publish_acknowledged(const NatsConnection& connection,
                                             std::string_view subject, PayloadView body,
                                             const PublishOptions& options) {
  const std::string subject_text(subject);
  const std::string message_id(options.message_id);
  const std::string stream(options.expected_stream);
  natsMsg* raw = nullptr;
  natsStatus s = natsMsg_Create(&raw, subject_text.c_str(), nullptr, body.data(),
                                static_cast<int>(body.size()));
  if (s != NATS_OK) return Unexpected(nats_error(Errc::invalid_argument, "a message", s));
  NatsMsgPtr msg(raw);
  for (const RecordAttribute& h : options.headers) {
    if (s = natsMsgHeader_Add(msg.get(), h.name.c_str(), h.value.c_str()); s != NATS_OK) {
      return Unexpected(nats_error(Errc::invalid_argument, "header " + h.name, s));
    }
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = connection.options().request_timeout.count();
  if (!message_id.empty()) po.MsgId = message_id.c_str();
  if (!stream.empty()) po.ExpectStream = stream.c_str();
  JsPubAckPtr ack;
  jsErrCode js_error{};
  s = retry_transient(connection.options().retry_for, js_error, [&](jsErrCode& e) {
    jsPubAck* raw_ack = nullptr;
    const natsStatus r = js_PublishMsg(&raw_ack, connection.js(), msg.get(), &po, &e);
    ack.reset(raw_ack);
    return r;
  });
  if (s != NATS_OK) return Unexpected(nats_error("publishing to " + subject_text, s, js_error));
  return ack->Sequence;
}

}  // namespace nanofaas::detail
