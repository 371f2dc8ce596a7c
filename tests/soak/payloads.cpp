#include "payloads.hpp"

#include <charconv>

namespace soak {
namespace {

std::optional<std::uint64_t> number_at(std::string_view text, std::size_t at) {
  std::uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), n);
  if (error != std::errc() || end == text.data() + at) return std::nullopt;
  return n;
}

}  // namespace

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a * 0x9e3779b97f4a7c15ull + b + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string async_body(std::uint64_t seq, char behaviour, std::size_t padding) {
  std::string body = "seq:";
  body += std::to_string(seq);
  body += '|';
  body += behaviour;
  body += '|';
  body.append(padding, '.');
  if (seq % 4 == 0) body = "{\"t\":\"" + body + "\"}";
  return body;
}

std::string_view untracked_body(char behaviour) {
  static constexpr std::string_view bodies[] = {"seq:-|o|", "seq:-|e|", "seq:-|t|",
                                                "seq:-|w|", "seq:-|s|", "seq:-|n|"};
  for (const std::string_view body : bodies) {
    if (body[6] == behaviour) return body;
  }
  return bodies[0];
}

AsyncBody parse_async_body(std::string_view text) {
  AsyncBody body;
  const auto at = text.find("seq:");
  if (at == std::string_view::npos) return body;
  std::size_t after = at + 4;
  if (after < text.size() && text[after] == '-') {
    ++after;
  } else {
    body.seq = number_at(text, after);
    while (after < text.size() && text[after] >= '0' && text[after] <= '9') ++after;
  }
  if (after + 1 < text.size() && text[after] == '|') body.behaviour = text[after + 1];
  return body;
}

std::optional<std::string_view> json_string(std::string_view json, std::string_view key) {
  std::string pattern = "\"";
  pattern.append(key).append("\":\"");
  const auto at = json.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  const auto begin = at + pattern.size();
  const auto end = json.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  return json.substr(begin, end - begin);
}

std::uint64_t id_hash(std::string_view id_text) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64, then mixed
  for (const char c : id_text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return mix(h, 1);
}

char kind_of_message(std::uint64_t seq, std::uint64_t seed) {
  const std::uint64_t roll = mix(seq, seed) % 1000;
  if (roll < 60) return message_kind::filtered;
  if (roll < 90) return message_kind::not_json;
  if (roll < 150) return message_kind::fail_once;
  if (roll < 160) return message_kind::poison;
  return message_kind::succeed;
}

std::string message_body(std::uint64_t seq, char kind, std::size_t padding) {
  std::string body = "{\"seq\":";
  body += std::to_string(seq);
  body += ",\"k\":\"";
  body += kind;
  body += "\",\"pad\":\"";
  body.append(padding, '.');
  if (kind != message_kind::not_json) body += "\"}";
  return body;
}

std::optional<std::uint64_t> message_seq(std::string_view body) {
  constexpr std::string_view prefix = "{\"seq\":";
  if (!body.starts_with(prefix)) return std::nullopt;
  return number_at(body, prefix.size());
}

}  // namespace soak
