#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::http {

/// The range of a list that one page answers, and the marker of the next page (empty: none).
struct Page {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string next_marker{};
};

/// Lambda's paging of a list of `total` items by the `MaxItems` (1–10000) and `Marker` query
/// parameters; the marker is the index of the next item. A 400 when either is malformed.
Expected<Page, Response> page(const ApiCall& call, std::size_t total);

/// A `FunctionName` of any form that must name the function itself (no qualifier).
Expected<std::string> unqualified_name(std::string_view function_name);

/// The `Qualifier` query parameter with the function name as the engine's qualified name, or
/// 400 when the qualifier is required and absent.
Expected<std::string, Response> required_qualified_name(const ApiCall& call,
                                                        std::string_view function_name);

/// The time the server started, as Lambda writes `LastModified` of a function
/// ("2026-12-05T00:00:00.000+0000").
const std::string& server_start_iso8601();
/// Now as epoch seconds (Lambda's `LastModified` of mappings and event invoke configs).
double epoch_seconds_now();
/// A stable revision id for a resource's state: a UUID-shaped hash of `state`.
std::string revision_id(std::string_view state);

/// A function's ARN, with `qualifier` when not empty.
std::string arn_of(const ApiContext& api, std::string_view function_name,
                   std::string_view qualifier = {});

}  // namespace nanofaas::http
