#include "http/sigv4_canonical.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "http/hmac_sha256.hpp"

namespace nanofaas::http::sigv4 {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is, and '+' is a
// plus sign (SDKs send a space as %20).
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string uri_encoded(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_uri_encoded(out, bytes, false);
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Appends `value` trimmed, each inner run of whitespace as one space.
void append_trimmed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool started = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(c);
  }
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

void append_lower(std::string& out, std::string_view text) {
  for (const char c : text) out.push_back(lower(c));
}

}  // namespace

void append_uri_encoded(std::string& out, std::string_view bytes, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 0xf]);
    }
  }
}

bool same_header_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
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

std::string canonical_uri(std::string_view path) {
  // The segments left once empty ones and "." are dropped and ".." removes its parent.
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string out;
  out.reserve(path.size() + 16);
  if (path.empty() || path.front() == '/') out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    append_uri_encoded(out, segments[i], false);
  }
  if (!segments.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start < query.size()) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, amp - start);
    if (!pair.empty()) {
      const std::size_t eq = std::min(pair.find('='), pair.size());
      const std::string_view value = eq < pair.size() ? pair.substr(eq + 1) : std::string_view{};
      pairs.emplace_back(uri_encoded(percent_decode(pair.substr(0, eq))),
                         uri_encoded(percent_decode(value)));
    }
    start = amp + 1;
  }
  std::ranges::sort(pairs);
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string canonical_headers(const std::vector<HeaderField>& headers,
                              std::string_view signed_headers) {
  std::string out;
  std::size_t start = 0;
  while (start < signed_headers.size()) {
    const std::size_t semicolon = std::min(signed_headers.find(';', start), signed_headers.size());
    const std::string_view name = signed_headers.substr(start, semicolon - start);
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
    start = semicolon + 1;
  }
  return out;
}

std::string canonical_request(const SignedRequest& request, std::string_view signed_headers,
                              std::string_view payload_hash) {
  const std::size_t question = std::min(request.target.find('?'), request.target.size());
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question < request.target.size() ? request.target.substr(question + 1) : std::string_view{};
  std::string out;
  out.reserve(512);
  out += request.method;
  out.push_back('\n');
  out += canonical_uri(path);
  out.push_back('\n');
  out += canonical_query(query);
  out.push_back('\n');
  out += canonical_headers(request.headers, signed_headers);
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
