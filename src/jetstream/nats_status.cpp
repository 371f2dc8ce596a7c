#include "jetstream/nats_status.hpp"

#include <string>

namespace nanofaas::detail {
namespace {

Errc code_of(natsStatus status, jsErrCode js_error) {
  if (js_error == JSStreamNotFoundErr || js_error == JSConsumerNotFoundErr ||
      status == NATS_NOT_FOUND || status == NATS_NO_RESPONDERS) {
    return Errc::not_found;
  }
  if (status == NATS_INVALID_ARG || status == NATS_INVALID_SUBJECT ||
      status == NATS_INVALID_TIMEOUT) {
    return Errc::invalid_argument;
  }
  if (status == NATS_NO_MEMORY || status == NATS_MAX_PAYLOAD) return Errc::resource_exhausted;
  return Errc::unavailable;
}

}  // namespace

Error nats_error(std::string_view what, natsStatus status, jsErrCode js_error) {
  return nats_error(code_of(status, js_error), what, status, js_error);
}

Error nats_error(Errc code, std::string_view what, natsStatus status, jsErrCode js_error) {
  std::string message("JetStream: ");
  message.append(what).append(": ").append(natsStatus_GetText(status));
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0' && std::string_view(last) != natsStatus_GetText(status)) {
    message.append(" (").append(last).append(")");
  }
  if (js_error != jsErrCode{})
    message.append(" [JetStream error ").append(std::to_string(static_cast<int>(js_error))) += ']';
  return Error{code, std::move(message)};
}

bool transient(natsStatus status, jsErrCode js_error) noexcept {
  switch (js_error) {
    case JSClusterNotAvailErr:
    case JSClusterNotLeaderErr:
    case JSClusterNoPeersErr:
    case JSStreamOfflineErr:
    case JSConsumerOfflineErr: return true;
    default: break;
  }
  return status == NATS_TIMEOUT || status == NATS_NO_RESPONDERS ||
         status == NATS_CONNECTION_DISCONNECTED || status == NATS_NO_SERVER ||
         status == NATS_NOT_YET_CONNECTED || status == NATS_IO_ERROR;
}

}  // namespace nanofaas::detail
