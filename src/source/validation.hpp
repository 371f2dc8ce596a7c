#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "nanofaas/error.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// True when `name` is 1 to `max_size` characters of [A-Za-z0-9_-] and those in `extra`.
[[nodiscard]] bool valid_name(std::string_view name, std::size_t max_size,
                              std::string_view extra = {}) noexcept;

/// An `invalid_argument` error: a source's configuration or a send was refused.
[[nodiscard]] Unexpected<Error> invalid(std::string message);

}  // namespace nanofaas::detail
