#pragma once

// What the JetStream example programs read from their command lines.

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace jetstream_example {

/// A whole decimal number in [min, max] into `out`; false for anything else.
inline bool number(std::string_view text, long min, long max, long& out) {
  const std::string s(text);
  char* end = nullptr;
  out = std::strtol(s.c_str(), &end, 10);
  return !s.empty() && *end == '\0' && out >= min && out <= max;
}

/// Appends the comma-separated server URLs of `list` to `servers`.
inline void add_servers(std::string_view list, std::vector<std::string>& servers) {
  for (std::size_t from = 0; from <= list.size();) {
    const std::size_t comma = std::min(list.find(',', from), list.size());
    if (comma > from) servers.emplace_back(list.substr(from, comma - from));
    from = comma + 1;
  }
}

}  // namespace jetstream_example
