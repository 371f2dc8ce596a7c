#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "filter/program.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail::filter {

/// Compiles 1-5 patterns into one Program. Fails with `invalid_argument`; the message names the
/// pattern (`Filters[i].Pattern`), the key path and the problem.
Expected<std::shared_ptr<const Program>> compile_program(
    std::span<const std::string_view> patterns);

}  // namespace nanofaas::detail::filter
