#include "source/validation.hpp"

#include <algorithm>
#include <utility>

namespace nanofaas::detail {

bool valid_name(std::string_view name, std::size_t max_size, std::string_view extra) noexcept {
  if (name.empty() || name.size() > max_size) return false;
  return std::all_of(name.begin(), name.end(), [extra](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || extra.find(c) != std::string_view::npos;
  });
}

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, std::move(message)});
}

}  // namespace nanofaas::detail
