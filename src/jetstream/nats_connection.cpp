#include "jetstream/nats_connection.hpp"

#include <string>
#include <utility>
#include <vector>

#include "jetstream/nats_status.hpp"

namespace nanofaas::detail {
namespace {

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, std::move(message)});
}

// The client's options: every server, unlimited reconnects, and a failed first connect
// reported at once (never retried in the background, where a caller would wait on nothing).
Expected<NatsOptionsPtr> make_options(const JetStreamOptions& o) {
  natsOptions* raw = nullptr;
  if (natsStatus s = natsOptions_Create(&raw); s != NATS_OK) {
    return Unexpected(nats_error("creating the connection's options", s));
  }
  NatsOptionsPtr opts(raw);
  std::vector<const char*> urls;
  urls.reserve(o.servers.size());
  for (const std::string& url : o.servers) urls.push_back(url.c_str());
  natsStatus s = natsOptions_SetServers(opts.get(), urls.data(), static_cast<int>(urls.size()));
  if (s != NATS_OK) return Unexpected(nats_error(Errc::invalid_argument, "server URLs", s));
  s = natsOptions_SetName(opts.get(), o.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), o.connect_timeout.count());
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts.get(), true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.get(), o.reconnect_wait.count());
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts.get(), false, nullptr, nullptr);
  if (s != NATS_OK) return Unexpected(nats_error(Errc::invalid_argument, "connection options", s));
  return opts;
}

}  // namespace

Expected<std::shared_ptr<NatsConnection>> NatsConnection::connect(JetStreamOptions options) {
  if (options.servers.empty()) return invalid("JetStream: no server URL");
  for (const std::string& url : options.servers) {
    if (url.empty()) return invalid("JetStream: an empty server URL");
  }
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0 ||
      options.reconnect_wait.count() < 0 || options.retry_for.count() < 0) {
    return invalid("JetStream: timeouts must be positive");
  }
  auto opts = make_options(options);
  if (!opts) return Unexpected(std::move(opts).error());
  natsConnection* raw_nc = nullptr;
  if (natsStatus s = natsConnection_Connect(&raw_nc, opts->get()); s != NATS_OK) {
    std::string what("no server reachable at");
    for (const std::string& url : options.servers) what.append(" ").append(url);
    return Unexpected(nats_error(Errc::unavailable, what, s));
  }
  NatsConnectionPtr nc(raw_nc);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.request_timeout.count();
  jsCtx* raw_js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw_js, nc.get(), &jo); s != NATS_OK) {
    return Unexpected(nats_error("opening a JetStream context", s));
  }
  JsCtxPtr js(raw_js);
  return std::shared_ptr<NatsConnection>(new NatsConnection(
      std::move(options), std::move(opts).value(), std::move(nc), std::move(js)));
}

NatsConnection::NatsConnection(JetStreamOptions options, NatsOptionsPtr opts, NatsConnectionPtr nc,
                               JsCtxPtr js) noexcept
    : options_(std::move(options)),
      opts_(std::move(opts)),
      nc_(std::move(nc)),
      js_(std::move(js)) {}

NatsConnection::~NatsConnection() {
  js_.reset();  // the context refers to the connection
  nc_.reset();
}

bool NatsConnection::connected() const noexcept {
  return natsConnection_Status(nc_.get()) == NATS_CONN_STATUS_CONNECTED;
}

std::uint64_t NatsConnection::reconnects() const noexcept {
  natsStatistics* stats = nullptr;
  if (natsStatistics_Create(&stats) != NATS_OK) return 0;
  std::uint64_t reconnects = 0;
  if (natsConnection_GetStats(nc_.get(), stats) == NATS_OK) {
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &reconnects);
  }
  natsStatistics_Destroy(stats);
  return reconnects;
}

}  // namespace nanofaas::detail
