#include "http/router.hpp"

#include "http/invoke_api.hpp"
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

void Router::handle(ApiCall&& call) const {
  const auto& s = call.segments;
  const verb method = call.request.method();
  if (s.size() == 4 && s[0] == "2015-03-31" && s[1] == "functions" && s[3] == "invocations" &&
      method == verb::post) {
    const std::string name = s[2];
    return invoke(api_, std::move(call), name);
  }
  call.respond(unknown_operation(call.request));
}

}  // namespace nanofaas::http
