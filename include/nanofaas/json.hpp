#pragma once

#include <simdjson.h>

#include <string>

#include "nanofaas/context.hpp"
#include "nanofaas/event.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas {

/// A simdjson on-demand parser kept per execution environment, with a scratch buffer for
/// payloads that arrive without padding.
struct JsonScratch {
  simdjson::ondemand::parser parser;
  std::string copy;
};

/// Parses `payload` with simdjson on-demand: in place when it is padded (a `Payload`, or a
/// string with spare capacity), else after one copy into `scratch`. The document is valid until
/// the next parse with the same scratch and while the payload lives. Errors as simdjson's.
inline simdjson::simdjson_result<simdjson::ondemand::document> parse_json(PayloadView payload,
                                                                          JsonScratch& scratch) {
  if (payload.padded()) {
    return scratch.parser.iterate(payload.data(), payload.size(),
                                  payload.size() + simdjson::SIMDJSON_PADDING);
  }
  scratch.copy.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
  scratch.copy.assign(payload.data(), payload.size());
  return scratch.parser.iterate(scratch.copy.data(), scratch.copy.size(), scratch.copy.capacity());
}

/// Parses the event's body with the environment's own parser (see `Context::local`).
/// Call from the handler; the document lives until the handler's next parse.
inline simdjson::simdjson_result<simdjson::ondemand::document> parse_json(const Event& event,
                                                                          Context& context) {
  return parse_json(event.payload(), context.local<JsonScratch>());
}

static_assert(payload_padding >= simdjson::SIMDJSON_PADDING);

}  // namespace nanofaas
