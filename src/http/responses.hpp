#pragma once

#include <string>
#include <string_view>

#include "http/api_call.hpp"
#include "nanofaas/error.hpp"

namespace nanofaas::http {

/// A response with a JSON body (`application/json`).
Response json_response(beast_http::status status, std::string body);
/// An empty response (204, 202).
Response empty_response(beast_http::status status);
/// A Lambda error: the status, `x-amzn-ErrorType: <type>` and `{"Type":…,"message":…}` (and
/// `Reason` for a throttle), which the SDKs turn into their typed exceptions.
Response error_response(beast_http::status status, std::string_view type, std::string_view message,
                        std::string_view reason = {});
/// An engine error as Lambda answers it (404 ResourceNotFoundException, 429 with its reason, …).
Response error_response(const Error& error);
/// 400 InvalidParameterValueException.
Response invalid_parameter(std::string_view message);

}  // namespace nanofaas::http
