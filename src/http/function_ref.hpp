#pragma once

#include <string>
#include <string_view>

#include "nanofaas/expected.hpp"

namespace nanofaas::http {

/// Lambda's `FunctionName` in any of its forms ("name", "name:qualifier",
/// "arn:aws:lambda:<region>:<account>:function:name[:qualifier]",
/// "<account>:function:name[:qualifier]") with the optional `Qualifier` parameter, as the
/// engine's qualified name ("name" or "name:qualifier"). `invalid_argument` for a malformed
/// name, or a qualifier in the name that the parameter contradicts.
Expected<std::string> qualified_name(std::string_view function_name, std::string_view qualifier);

/// The function's ARN as responses write it; with the qualifier when one is given.
std::string function_arn(std::string_view region, std::string_view account,
                         std::string_view qualified_name);

}  // namespace nanofaas::http
