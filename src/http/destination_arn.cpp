#include "http/destination_arn.hpp"

#include "http/function_ref.hpp"
#include "nanofaas/queue.hpp"

namespace nanofaas::http {

Expected<Destination> destination_from_arn(const ApiContext& api, std::string_view arn) {
  Destination destination;
  if (arn.starts_with("arn:") && arn.find(":lambda:") != std::string_view::npos &&
      arn.find(":function:") != std::string_view::npos) {
    auto name = qualified_name(arn, {});
    if (name) {
      destination.function = std::move(*name);
      return destination;
    }
  }
  auto source = api.config.event_sources.find(std::string(arn));
  if (source != api.config.event_sources.end()) {
    if (auto queue = std::dynamic_pointer_cast<Queue>(source->second)) {
      destination.queue = std::move(queue);
      return destination;
    }
  }
  return Unexpected(Error{Errc::invalid_argument,
                          "The destination ARN " + std::string(arn) +
                              " is neither a Lambda function nor a queue of this server's "
                              "event sources"});
}

std::string destination_arn(const ApiContext& api, const Destination& destination) {
  if (!destination.function.empty()) {
    return function_arn(api.config.region, api.config.account_id, destination.function);
  }
  if (destination.queue) return source_arn(api, destination.queue.get());
  return {};
}

std::string source_arn(const ApiContext& api, const Source* source) {
  for (const auto& [arn, registered] : api.config.event_sources) {
    if (registered.get() == source) return arn;
  }
  return {};
}

}  // namespace nanofaas::http
