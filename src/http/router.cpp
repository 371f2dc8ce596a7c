#include "http/router.hpp"

#include <array>
#include <span>

#include "http/alias_api.hpp"
#include "http/concurrency_api.hpp"
#include "http/event_invoke_config_api.hpp"
#include "http/function_api.hpp"
#include "http/invoke_api.hpp"
#include "http/mapping_api.hpp"
#include "http/responses.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;
using beast_http::verb;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

Response unknown_operation(const Request& request) {
  return error_response(status::not_found, "UnknownOperationException",
                        "Unknown operation: " + std::string(request.method_string()) + " " +
                            std::string(request.target()));
}

}  // namespace

bool parse_target(std::string_view target, std::vector<std::string>& segments,
                  std::map<std::string, std::string, std::less<>>& query) {
  const std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  std::string decoded;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    if (!percent_decode(path.substr(0, slash), decoded)) return false;
    segments.push_back(decoded);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (question == std::string_view::npos) return true;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!percent_decode(pair.substr(0, eq), name)) return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value)) return false;
    if (!name.empty()) query.insert_or_assign(std::move(name), std::move(value));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return true;
}

namespace {

// One operation: its method, its path with "*" for a parameter, and what answers it with
// the parameters in order.
using Params = std::span<const std::string>;
struct Route {
  verb method;
  std::string_view path;
  void (*handle)(const ApiContext&, ApiCall&&, Params);
};

constexpr std::string_view functions = "2015-03-31/functions";
constexpr std::string_view mappings = "2015-03-31/event-source-mappings";

const std::array routes{
    Route{verb::post, "2015-03-31/functions/*/invocations",
          [](const ApiContext& a, ApiCall&& c, Params p) { invoke(a, std::move(c), p[0]); }},
    Route{verb::get, functions,
          [](const ApiContext& a, ApiCall&& c, Params) { list_functions(a, std::move(c)); }},
    Route{
        verb::post, functions,
        [](const ApiContext& a, ApiCall&& c, Params) { refuse_function_change(a, std::move(c)); }},
    Route{verb::get, "2015-03-31/functions/*",
          [](const ApiContext& a, ApiCall&& c, Params p) { get_function(a, std::move(c), p[0]); }},
    Route{
        verb::delete_, "2015-03-31/functions/*",
        [](const ApiContext& a, ApiCall&& c, Params) { refuse_function_change(a, std::move(c)); }},
    Route{
        verb::put, "2015-03-31/functions/*/code",
        [](const ApiContext& a, ApiCall&& c, Params) { refuse_function_change(a, std::move(c)); }},
    Route{
        verb::put, "2015-03-31/functions/*/configuration",
        [](const ApiContext& a, ApiCall&& c, Params) { refuse_function_change(a, std::move(c)); }},
    Route{verb::get, "2015-03-31/functions/*/configuration",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            get_function_configuration(a, std::move(c), p[0]);
          }},
    Route{
        verb::post, "2015-03-31/functions/*/versions",
        [](const ApiContext& a, ApiCall&& c, Params p) { publish_version(a, std::move(c), p[0]); }},
    Route{verb::get, "2015-03-31/functions/*/versions",
          [](const ApiContext& a, ApiCall&& c, Params p) { list_versions(a, std::move(c), p[0]); }},
    Route{verb::post, "2015-03-31/functions/*/aliases",
          [](const ApiContext& a, ApiCall&& c, Params p) { create_alias(a, std::move(c), p[0]); }},
    Route{verb::get, "2015-03-31/functions/*/aliases",
          [](const ApiContext& a, ApiCall&& c, Params p) { list_aliases(a, std::move(c), p[0]); }},
    Route{
        verb::get, "2015-03-31/functions/*/aliases/*",
        [](const ApiContext& a, ApiCall&& c, Params p) { get_alias(a, std::move(c), p[0], p[1]); }},
    Route{verb::put, "2015-03-31/functions/*/aliases/*",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            update_alias(a, std::move(c), p[0], p[1]);
          }},
    Route{verb::delete_, "2015-03-31/functions/*/aliases/*",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            delete_alias(a, std::move(c), p[0], p[1]);
          }},
    Route{verb::put, "2017-10-31/functions/*/concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            put_function_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::delete_, "2017-10-31/functions/*/concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            delete_function_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::get, "2019-09-30/functions/*/concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            get_function_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::put, "2019-09-30/functions/*/provisioned-concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            put_provisioned_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::get, "2019-09-30/functions/*/provisioned-concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            get_provisioned_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::delete_, "2019-09-30/functions/*/provisioned-concurrency",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            delete_provisioned_concurrency(a, std::move(c), p[0]);
          }},
    Route{verb::put, "2019-09-25/functions/*/event-invoke-config",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            put_event_invoke_config(a, std::move(c), p[0], true);
          }},
    Route{verb::post, "2019-09-25/functions/*/event-invoke-config",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            put_event_invoke_config(a, std::move(c), p[0], false);
          }},
    Route{verb::get, "2019-09-25/functions/*/event-invoke-config",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            get_event_invoke_config(a, std::move(c), p[0]);
          }},
    Route{verb::delete_, "2019-09-25/functions/*/event-invoke-config",
          [](const ApiContext& a, ApiCall&& c, Params p) {
            delete_event_invoke_config(a, std::move(c), p[0]);
          }},
    Route{verb::post, mappings,
          [](const ApiContext& a, ApiCall&& c, Params) { create_mapping(a, std::move(c)); }},
    Route{verb::get, mappings,
          [](const ApiContext& a, ApiCall&& c, Params) { list_mappings(a, std::move(c)); }},
    Route{verb::get, "2015-03-31/event-source-mappings/*",
          [](const ApiContext& a, ApiCall&& c, Params p) { get_mapping(a, std::move(c), p[0]); }},
    Route{
        verb::put, "2015-03-31/event-source-mappings/*",
        [](const ApiContext& a, ApiCall&& c, Params p) { update_mapping(a, std::move(c), p[0]); }},
    Route{
        verb::delete_, "2015-03-31/event-source-mappings/*",
        [](const ApiContext& a, ApiCall&& c, Params p) { delete_mapping(a, std::move(c), p[0]); }},
};

// True when `segments` fit `path`; the "*" segments (never empty) go to `params`.
bool matches(std::string_view path, const std::vector<std::string>& segments,
             std::vector<std::string>& params) {
  params.clear();
  std::size_t i = 0;
  for (; !path.empty(); ++i) {
    const std::size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (i >= segments.size()) return false;
    if (part == "*") {
      if (segments[i].empty()) return false;
      params.push_back(segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
  }
  return i == segments.size();
}

}  // namespace

void Router::handle(ApiCall&& call) const {
  // "/2015-03-31/functions/" lists as "/2015-03-31/functions" does.
  if (call.segments.size() > 1 && call.segments.back().empty()) call.segments.pop_back();
  const verb method = call.request.method();
  std::vector<std::string> params;
  for (const Route& route : routes) {
    if (route.method == method && matches(route.path, call.segments, params)) {
      return route.handle(api_, std::move(call), params);
    }
  }
  call.respond(unknown_operation(call.request));
}

}  // namespace nanofaas::http
