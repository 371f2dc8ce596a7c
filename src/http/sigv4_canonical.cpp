#include "http/sigv4_canonical.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "http/hmac_sha256.hpp"

namespace nanofaas::http::sigv4 {

namespace {

// Bytes RFC 3986 leaves unencoded: ALPHA, DIGIT, '-', '.', '_', '~'.
constexpr auto unreserved_table = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                         (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                                         c == '_' || c == '~';
  }
  return table;
}();

bool is_unreserved(char c) {
  return unreserved_table[static_cast<unsigned char>(c)];
}

constexpr char upper_digits[] = "0123456789ABCDEF";

void append_escaped(std::string& out, char c) {
  const auto byte = static_cast<unsigned char>(c);
  const char escape[3] = {'%', upper_digits[byte >> 4], upper_digits[byte & 0xf]};
  out.append(escape, 3);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends `text` decoded and encoded again: %XX escapes are decoded first (a '%' without two
// hex digits is a literal '%', and '+' a literal plus: SDKs send a space as %20).
void append_reencoded(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        c = static_cast<char>(high * 16 + low);
        i += 2;
      }
    }
    if (is_unreserved(c)) {
      out.push_back(c);
    } else {
      append_escaped(out, c);
    }
  }
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Appends `value` trimmed, each inner run of whitespace as one space.
void append_trimmed(std::string& out, std::string_view value) {
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  while (!value.empty()) {
    std::size_t run = 0;
    while (run < value.size() && !is_space(value[run])) ++run;
    out.append(value.data(), run);
    value.remove_prefix(run);
    if (value.empty()) break;
    out.push_back(' ');
    while (is_space(value.front())) value.remove_prefix(1);
  }
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

void append_lower(std::string& out, std::string_view text) {
  const std::size_t at = out.size();
  out.append(text);
  for (std::size_t i = at; i < out.size(); ++i) out[i] = lower(out[i]);
}

// Calls `f` with each part of `list` between `separator`s (one empty part for an empty list).
template <class F>
void for_each_part(std::string_view list, char separator, F&& f) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(list.find(separator, start), list.size());
    f(list.substr(start, end - start));
    if (end == list.size()) return;
    start = end + 1;
  }
}

// Whether the path has an empty, "." or ".." segment besides its leading and trailing slash.
bool needs_normalising(std::string_view path) {
  if (path.empty() || path.front() != '/') return true;
  std::string_view inner = path.substr(1);
  if (!inner.empty() && inner.back() == '/') inner.remove_suffix(1);
  if (inner.empty()) return false;
  bool irregular = false;
  for_each_part(inner, '/', [&](std::string_view segment) {
    irregular = irregular || segment.empty() || segment == "." || segment == "..";
  });
  return irregular;
}

// A query parameter as signed: name and value encoded, the name first.
struct QueryParameter {
  std::string text;  // name '=' value
  std::size_t name_size = 0;

  std::string_view name() const { return std::string_view(text).substr(0, name_size); }
  std::string_view value() const { return std::string_view(text).substr(name_size + 1); }
  bool operator<(const QueryParameter& other) const {
    const int by_name = name().compare(other.name());
    return by_name != 0 ? by_name < 0 : value() < other.value();
  }
};

}  // namespace

void append_uri_encoded(std::string& out, std::string_view bytes, bool keep_slash) {
  while (!bytes.empty()) {
    std::size_t run = 0;
    while (run < bytes.size() && (is_unreserved(bytes[run]) || (keep_slash && bytes[run] == '/'))) {
      ++run;
    }
    out.append(bytes.data(), run);
    if (run == bytes.size()) return;
    append_escaped(out, bytes[run]);
    bytes.remove_prefix(run + 1);
  }
}

bool same_header_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> find_header(const std::vector<HeaderField>& headers,
                                            std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (same_header_name(field, name)) return value;
  }
  return std::nullopt;
}

std::string format_amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day ymd{day};
  const hh_mm_ss hms{seconds - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int fields[6] = {};
  const std::size_t starts[6] = {0, 4, 6, 9, 11, 13};
  const std::size_t widths[6] = {4, 2, 2, 2, 2, 2};
  for (std::size_t f = 0; f < 6; ++f) {
    for (std::size_t i = starts[f]; i < starts[f] + widths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  const year_month_day ymd{year{fields[0]}, month{static_cast<unsigned>(fields[1])},
                           day{static_cast<unsigned>(fields[2])}};
  if (!ymd.ok() || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return std::nullopt;
  return sys_days{ymd} + hours{fields[3]} + minutes{fields[4]} + seconds{fields[5]};
}

void append_canonical_uri(std::string& out, std::string_view path) {
  if (!needs_normalising(path)) {
    append_uri_encoded(out, path, true);
    return;
  }
  // The segments left once empty ones and "." are dropped and ".." removes its parent.
  std::vector<std::string_view> segments;
  for_each_part(path, '/', [&](std::string_view segment) {
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
  });
  if (path.empty() || path.front() == '/') out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    append_uri_encoded(out, segments[i], false);
  }
  if (!segments.empty() && path.back() == '/') out.push_back('/');
}

std::string canonical_uri(std::string_view path) {
  std::string out;
  append_canonical_uri(out, path);
  return out;
}

void append_canonical_query(std::string& out, std::string_view query) {
  if (query.empty()) return;
  std::vector<QueryParameter> parameters;
  for_each_part(query, '&', [&](std::string_view pair) {
    if (pair.empty()) return;
    const std::size_t eq = std::min(pair.find('='), pair.size());
    QueryParameter parameter;
    append_reencoded(parameter.text, pair.substr(0, eq));
    parameter.name_size = parameter.text.size();
    parameter.text.push_back('=');
    if (eq < pair.size()) append_reencoded(parameter.text, pair.substr(eq + 1));
    parameters.push_back(std::move(parameter));
  });
  std::sort(parameters.begin(), parameters.end());
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += parameters[i].text;
  }
}

std::string canonical_query(std::string_view query) {
  std::string out;
  append_canonical_query(out, query);
  return out;
}

void append_canonical_headers(std::string& out, const std::vector<HeaderField>& headers,
                              std::string_view signed_headers) {
  if (signed_headers.empty()) return;
  for_each_part(signed_headers, ';', [&](std::string_view name) {
    append_lower(out, name);
    out.push_back(':');
    bool first = true;
    for (const auto& [field, value] : headers) {
      if (!same_header_name(field, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      append_trimmed(out, value);
    }
    out.push_back('\n');
  });
}

std::string canonical_headers(const std::vector<HeaderField>& headers,
                              std::string_view signed_headers) {
  std::string out;
  append_canonical_headers(out, headers, signed_headers);
  return out;
}

std::string canonical_request(const SignedRequest& request, std::string_view signed_headers,
                              std::string_view payload_hash) {
  const std::size_t question = std::min(request.target.find('?'), request.target.size());
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question < request.target.size() ? request.target.substr(question + 1) : std::string_view{};
  std::string out;
  out.reserve(256 + request.target.size() + 2 * signed_headers.size());
  out += request.method;
  out.push_back('\n');
  append_canonical_uri(out, path);
  out.push_back('\n');
  append_canonical_query(out, query);
  out.push_back('\n');
  append_canonical_headers(out, request.headers, signed_headers);
  out.push_back('\n');
  append_lower(out, signed_headers);
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out;
  out.reserve(algorithm.size() + amz_date.size() + scope.size() + 67);
  out += algorithm;
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  append_hex(out, sha256(canonical_request));
  return out;
}

Sha256Digest signing_key(std::string_view secret, std::string_view date, std::string_view region,
                         std::string_view service) {
  std::string seed = "AWS4";
  seed += secret;
  const Sha256Digest date_key = HmacSha256(seed).mac(date);
  OPENSSL_cleanse(seed.data(), seed.size());  // no copy of the secret outlives the call
  const Sha256Digest region_key = HmacSha256(date_key).mac(region);
  const Sha256Digest service_key = HmacSha256(region_key).mac(service);
  return HmacSha256(service_key).mac(terminator);
}

std::string signature(const Sha256Digest& key, std::string_view string_to_sign) {
  return to_hex(HmacSha256(key).mac(string_to_sign));
}

}  // namespace nanofaas::http::sigv4
