#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// Splits a request target into percent-decoded path segments and query parameters; false
/// when an escape is malformed.
bool parse_target(std::string_view target, std::vector<std::string>& segments,
                  std::map<std::string, std::string, std::less<>>& query);

/// Sends each API call to the Lambda operation its method and path name, with Lambda's
/// paths (`/2015-03-31/functions/…`, `/2017-10-31/…/concurrency`, …).
class Router {
 public:
  explicit Router(ApiContext api) : api_(std::move(api)) {}
  void handle(ApiCall&& call) const;

 private:
  ApiContext api_;
};

}  // namespace nanofaas::http
